// Runs one workload file on aws-local-stepfunctions, in process, and prints times, outputs and peak RSS.
// Usage: node sfn_local_runner.js <node_modules dir> <workload.json> <warmup> <runs> [--real-time]
// Wait states listed in the workload are overridden to 0 ms (the library's waitTimeOverrides), as
// Statewright runs them on a virtual clock, unless --real-time is given.
const path = require("path");
const fs = require("fs");
const [modules, file, warmup, runs, flag] = process.argv.slice(2);
const { StateMachine } = require(path.join(modules, "aws-local-stepfunctions"));
const workload = JSON.parse(fs.readFileSync(file, "utf8"));
const waitTimeOverrides = {};
if (flag !== "--real-time") for (const name of workload.wait_states) waitTimeOverrides[name] = 0;

async function runOnce(machine) {
  const options = { overrides: { waitTimeOverrides } };
  if (workload.executions === 1) return machine.run(workload.input, options).result;
  // Every execution started before any is awaited: all in flight together.
  return Promise.all(workload.input.map((item) => machine.run(item, options).result));
}

function rss() {
  return process.memoryUsage().rss;
}

async function main() {
  const machine = new StateMachine(workload.definition, { validationOptions: { checkPaths: false } });
  for (let i = 0; i < Number(warmup); i++) await runOnce(machine);
  if (global.gc) global.gc();
  const base = rss();
  const times = [];
  let output = null;
  for (let i = 0; i < Number(runs); i++) {
    const start = process.hrtime.bigint();
    output = await runOnce(machine);
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const peak = process.resourceUsage().maxRSS * 1024; // KiB
  process.stdout.write(JSON.stringify({ times_s: times, output, base_rss_bytes: base, peak_rss_bytes: peak }));
}

main().catch((error) => {
  console.error(`aws-local-stepfunctions: ${workload.name}: ${error.stack || error}`);
  process.exit(1);
});
