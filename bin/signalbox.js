#!/usr/bin/env node
// The compiled CLI (built into dist/ by `npm run build`, which `npm install` runs through `prepare`).
import "../dist/cli/bin.js";
