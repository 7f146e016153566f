#!/usr/bin/env node
// validate.js — checks JSON documents against a JSON Schema with Ajv (draft-07 or 2020-12,
// chosen by the schema's "$schema"), formats included (ajv-formats: uri, date-time, uuid, ...).
// Usage: node validate.js [--strict] SCHEMA FILE...   Exit 0 when every file is valid, 1 when
// one is not (each error printed with its JSON pointer), 2 on a usage or schema error.
// --strict also rejects unknown keywords in the schema: used for lockwatch's own schema.
'use strict';
const fs = require('fs');
const Ajv07 = require('ajv').default;
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

const args = process.argv.slice(2);
const strict = args[0] === '--strict';
if (strict) args.shift();
if (args.length < 2) {
  console.error('usage: node validate.js [--strict] SCHEMA FILE...');
  process.exit(2);
}
const [schemaPath, ...files] = args;

let validate;
try {
  const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
  const draft2020 = String(schema.$schema || '').includes('2020-12');
  const Ajv = draft2020 ? Ajv2020 : Ajv07;
  const ajv = new Ajv({ allErrors: true, strict });
  addFormats(ajv);
  validate = ajv.compile(schema);
} catch (err) {
  console.error(`${schemaPath}: cannot compile the schema: ${err.message}`);
  process.exit(2);
}

let failed = false;
for (const file of files) {
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`${file}: not JSON: ${err.message}`);
    failed = true;
    continue;
  }
  if (validate(doc)) {
    console.log(`${file}: valid against ${schemaPath}`);
    continue;
  }
  failed = true;
  for (const e of validate.errors) {
    console.error(`${file}: ${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`);
  }
}
process.exit(failed ? 1 : 0);
