#!/usr/bin/env bash
# Formats the whole tree with Prettier (.prettierrc.json, .prettierignore), once, after the
# branches that restructure the tree have merged; `npm test` checks the result from then on.
# Afterwards: run `npm test`, commit, and add the commit's hash to .git-blame-ignore-revs.
set -euo pipefail
cd "$(dirname "$0")/.."
npx prettier --write . --log-level warn
npx prettier --check . --log-level warn
git status --short | wc -l | xargs printf '%s files changed by Prettier\n'
