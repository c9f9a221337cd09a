// Follows the change feed with Apollo Client 4 over a WebSocket: GraphQLWsLink on the graphql-ws
// package's client, as docs/querying.md shows. Prints one JSON line when the server has
// acknowledged the connection ({"connected": true}), then one per result ({"data"} or
// {"errors"}), and exits once COUNT changes came. .ci/clients/test_apollo_subscriptions.py
// makes the changes and judges the lines:
//
//   node follow-changes.mjs WS_URL COUNT

import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, count] = process.argv.slice(2);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

// Node 20 has no WebSocket of its own: the ws package is the one graphql-ws documents.
const socket = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: {}, // a key goes here: {Authorization: "Bearer <key>"}
  on: { connected: () => print({ connected: true }) },
});
const client = new ApolloClient({ link: new GraphQLWsLink(socket), cache: new InMemoryCache() });

const FOLLOW = gql`
  subscription Follow {
    changes(types: [EVENT]) {
      cursor
      op
      type
      nodeId
      fields {
        name
        after
      }
    }
  }
`;

let received = 0;
const following = client.subscribe({ query: FOLLOW }).subscribe({
  next: (result) => {
    print(result.error ? { errors: [String(result.error)] } : { data: result.data });
    received += 1;
    if (received >= Number(count)) {
      following.unsubscribe();
      socket.dispose();
    }
  },
  error: (error) => {
    print({ errors: [String(error)] });
    process.exit(1);
  },
});
