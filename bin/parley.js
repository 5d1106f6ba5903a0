#!/usr/bin/env node
// The operator's command (`npx parley …`, `npm run parley -- …`). It runs the TypeScript
// sources of the checkout through tsx, as `npm start` does.
import { register } from 'tsx/esm/api'

register()
await import('../server/src/cli/main.ts')
