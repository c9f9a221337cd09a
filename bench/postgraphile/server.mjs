// PostGraphile 5, the peer of the requests benchmark (bench/servers.py starts it, one process):
// the amber preset, simplify-inflection and connection-filter over the bench's database, as a
// user would set it up. POST /graphql answers GraphQL; GET /healthz answers 200 once the schema
// is built (the harness waits for it).
//
// node server.mjs --database DSN --host H --port P
import { createServer } from "node:http";
import { parseArgs } from "node:util";

import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import pg from "pg";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const POOL_SIZE = 10; // the API's default EVENTGRAPH_POOL_SIZE, as bench/floor.py

const { values } = parseArgs({
  options: {
    database: { type: "string" },
    host: { type: "string" },
    port: { type: "string" },
  },
});

const pool = new pg.Pool({ connectionString: values.database, max: POOL_SIZE });
const preset = {
  extends: [
    PostGraphileAmberPreset,
    PgSimplifyInflectionPreset,
    PostGraphileConnectionFilterPreset,
  ],
  pgServices: [makePgService({ pool, schemas: ["public"] })],
  schema: {
    // Filters across relations (an event by one of its participants), off by default.
    connectionFilterRelations: true,
    // The API lists undated statements last in either direction.
    pgOrderByNullsLast: true,
  },
  grafserv: { graphqlPath: "/graphql", graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
await pgl.getSchema(); // built before /healthz says ready
const handler = pgl.createServ(grafserv).createHandler();
const server = createServer((request, response) => {
  if (request.url === "/healthz") {
    response.writeHead(200, { "content-type": "text/plain" });
    response.end("ok");
    return;
  }
  handler(request, response);
});

async function stop() {
  server.close();
  await pgl.release();
  await pool.end();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
server.listen(Number(values.port), values.host);
