// Runs once, when MongoDB's data volume is new (docker-entrypoint-initdb.d): the user the suite's
// services connect as. It reads and writes any database (services own theirs: customer, consent,
// tasks, ingest, and whatever a new service brings) but cannot manage users or the server.
db.getSiblingDB("admin").createUser({
  user: "suite",
  pwd: process.env.MONGODB_SUITE_PASSWORD,
  roles: [{ role: "readWriteAnyDatabase", db: "admin" }],
});
