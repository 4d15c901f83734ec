// Times asl-validator's validation of one definition inside a single node process.
// Usage: node asl_validator_inprocess.js <node_modules dir> <definition.json> <repeats>
const path = require("path");
const fs = require("fs");
const [modules, file, repeats] = process.argv.slice(2);
const aslValidator = require(path.join(modules, "asl-validator"));
const validate = aslValidator.default || aslValidator;
const text = fs.readFileSync(file, "utf8");
const times = [];
let valid = null;
for (let i = 0; i < Number(repeats); i++) {
  const start = process.hrtime.bigint();
  const result = validate(JSON.parse(text));
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
  valid = result.isValid;
}
console.log(JSON.stringify({ times_ms: times, valid }));
