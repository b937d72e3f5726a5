// Runs one async snippet with jsforce in scope and prints {"ok":true,"result":...} or
// {"ok":false,"error":{...}} on stdout. The snippet arrives on stdin; `env` is FAKE_SF_ENV (JSON).
"use strict";
const jsforce = require("jsforce");

const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;

function describeError(err) {
  return {
    name: err && err.name,
    errorCode: err && err.errorCode,
    message: err && err.message,
    data: err && err.data,
  };
}

async function main() {
  let source = "";
  for await (const chunk of process.stdin) source += chunk;
  const env = JSON.parse(process.env.FAKE_SF_ENV || "{}");
  let outcome;
  try {
    const result = await new AsyncFunction("jsforce", "env", source)(jsforce, env);
    outcome = { ok: true, result: result === undefined ? null : result };
  } catch (err) {
    outcome = { ok: false, error: describeError(err) };
  }
  process.stdout.write(JSON.stringify(outcome));
}

main();
