// Runs GraphQL examples through Apollo Client 4 with the cache module of docs/querying.md, and
// prints, as JSON, what the server answered over plain HTTP beside what Apollo returned and what
// its cache reads back. .ci/clients/test_apollo_cache.py writes the input and judges the output:
//
//   node --conditions=development run-examples.mjs FOLDER < input.json
//
// FOLDER holds the docs' eventgraph-cache.js and the possible-types.js made by the docs' script.
// input.json: {"endpoint": URL, "examples": [{"name", "query"}], "walk": {"query"}}.
// The development condition turns on Apollo's warnings, which a production build leaves out.

import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";

const folder = process.argv[2];
const input = JSON.parse(readFileSync(0, "utf8"));

// Every console.warn and console.error while Apollo works, as the messages a developer would see.
const warnings = [];
for (const level of ["warn", "error"]) {
  console[level] = (...parts) => warnings.push(`${level}: ${format(...parts)}`);
}
function takeWarnings() {
  return warnings.splice(0, warnings.length);
}

async function raw(query, variables) {
  const response = await fetch(input.endpoint, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

async function throughApollo(client, query, variables) {
  try {
    const result = await client.query({ query, variables, fetchPolicy: "network-only" });
    return { data: result.data };
  } catch (error) {
    return { errors: error.errors ?? [{ message: String(error) }] };
  }
}

function readBack(cache, query, variables) {
  try {
    return cache.readQuery({ query, variables });
  } catch (error) {
    return { unreadable: String(error) };
  }
}

const { cache, typePolicies } = await import(pathToFileURL(join(folder, "eventgraph-cache.js")));
const client = new ApolloClient({ link: new HttpLink({ uri: input.endpoint }), cache });

// The examples one after another through one client, as the screens of an app would run them.
const examples = [];
for (const { name, query } of input.examples) {
  const document = gql(query);
  const answer = await raw(query);
  const before = JSON.stringify(cache.extract());
  const apollo = await throughApollo(client, document);
  examples.push({
    name,
    raw: answer,
    apollo,
    readBack: readBack(cache, document),
    cacheUnchanged: JSON.stringify(cache.extract()) === before,
    warnings: takeWarnings(),
  });
}
// Then each again, once all are in: what a later screen finds of an earlier one's data.
const atTheEnd = Object.fromEntries(
  input.examples.map(({ name, query }) => [name, readBack(cache, gql(query))]),
);
const warningsAtTheEnd = takeWarnings();

// A list walked page by page with fetchMore, as a "more" button does, in a cache of its own (a
// second instance of the guide's module: the query string makes it a module of its own).
const walkQuery = gql(input.walk.query);
const walkCache = (await import(pathToFileURL(join(folder, "eventgraph-cache.js")) + "?walk"))
  .cache;
const walker = new ApolloClient({ link: new HttpLink({ uri: input.endpoint }), cache: walkCache });
const pages = [];
let after = null;
do {
  const page = await raw(input.walk.query, { after });
  pages.push(page);
  const { hasNextPage, endCursor } = page.data.events.pageInfo;
  after = hasNextPage ? endCursor : null;
} while (after !== null);
// Like a component, take each result the query emits once it has settled (not loading).
const observable = walker.watchQuery({ query: walkQuery, variables: { after: null } });
let settle = null;
function settled() {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no result within 10 s")), 10_000);
    settle = (result) => {
      clearTimeout(timer);
      resolve(result);
    };
  });
}
let shown = settled();
const subscription = observable.subscribe({
  next: (result) => result.loading || settle(result),
  error: (error) => settle({ error: String(error) }),
});
shown = await shown;
while (shown.data.events.pageInfo.hasNextPage) {
  const next = settled();
  await observable.fetchMore({ variables: { after: shown.data.events.pageInfo.endCursor } });
  shown = await next;
}
subscription.unsubscribe();
const walk = {
  pages,
  shown: shown.data,
  readBack: readBack(walkCache, walkQuery, { after: null }),
  warnings: takeWarnings(),
};

// A control: objects without an id, replaced in a bare cache, must be reported; if nothing is,
// the warnings are not being seen and the checks above would prove nothing.
const bare = new InMemoryCache();
const meeting = gql`{ event(slug: "x") { title } }`;
const moved = gql`{ event(slug: "x") { startDate } }`;
bare.writeQuery({ query: meeting, data: { event: { __typename: "Event", title: "a" } } });
bare.writeQuery({ query: moved, data: { event: { __typename: "Event", startDate: "b" } } });
const control = takeWarnings();

const connectionFields = Object.fromEntries(
  Object.entries(typePolicies).map(([type, policy]) => [type, Object.keys(policy.fields ?? {})]),
);
process.stdout.write(
  JSON.stringify({ examples, atTheEnd, warningsAtTheEnd, walk, control, connectionFields }),
);
