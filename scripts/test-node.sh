#!/usr/bin/env bash
# test-node.sh - runs tests on another Node.js major version than the machine's, offline but for
# the npm registry:   npm run test:node -- 22 [test files...]     (no files: the whole suite)
#
# 1. Node itself comes from the npm registry: the package node-<platform>-<arch>@MAJOR (what the
#    `node` package's installer fetches) holds the binary AND its headers (include/node), cached
#    in ${DATAFILES_NODE_CACHE:-~/.cache/datafiles/node}/MAJOR.
# 2. The tests run in a copy of this checkout (${TMPDIR:-/tmp}/datafiles-node-MAJOR; node_modules
#    hard-linked, so it costs little), never here: better-sqlite3 is a native module, and building
#    it for another Node would break this checkout for the machine's own.
# 3. better-sqlite3 is compiled from source against those headers (node-gyp --nodedir), so
#    node-gyp downloads nothing and no prebuilt binary is fetched from GitHub. It takes a few
#    minutes the first time; the copy keeps the build until package-lock.json changes.
set -euo pipefail
major=${1:?usage: test-node.sh MAJOR [test files...]}
shift
[[ "$major" =~ ^[0-9]+$ ]] || { echo "test-node.sh: MAJOR must be a number like 22, not $major" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
platform=$(node -p 'process.platform + "-" + process.arch')
node_home_root=${DATAFILES_NODE_CACHE:-$HOME/.cache/datafiles/node}/$major
node_home=$node_home_root/node_modules/node-$platform

if [ ! -x "$node_home/bin/node" ]; then
  echo "test-node.sh: installing node-$platform@$major from the npm registry into $node_home_root" >&2
  mkdir -p "$node_home_root"
  npm install --prefix "$node_home_root" --no-save --no-audit --no-fund --loglevel=error "node-$platform@$major" >&2
fi
[ -f "$node_home/include/node/node_api.h" ] || { echo "test-node.sh: $node_home has no include/node headers" >&2; exit 1; }
node_bin=$node_home/bin/node
version=$("$node_bin" -v)

copy=${TMPDIR:-/tmp}/datafiles-node-$major
echo "test-node.sh: Node $version, in $copy" >&2
mkdir -p "$copy"
# The sources as they are now (tracked and untracked, not ignored), then node_modules linked.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) | rsync -a --delete-missing-args --from0 --files-from=- "$repo/" "$copy/"
stamp=$copy/node_modules/.datafiles-node-$version-$(sha1sum < "$repo/package-lock.json" | cut -c1-12)
if [ ! -f "$stamp" ]; then
  rm -rf "$copy/node_modules"
  cp -al "$repo/node_modules" "$copy/node_modules"
  # better-sqlite3 gets a real copy of its own, built for this Node. npm_config_nodedir too: npm
  # exports the user's own nodedir setting to this script, and node-gyp lets it win over the flag.
  rm -rf "$copy/node_modules/better-sqlite3"
  cp -a "$repo/node_modules/better-sqlite3" "$copy/node_modules/better-sqlite3"
  rm -rf "$copy/node_modules/better-sqlite3/build"
  node_gyp=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")/node_modules/node-gyp/bin/node-gyp.js
  echo "test-node.sh: compiling better-sqlite3 for Node $version (node-gyp --nodedir=$node_home)" >&2
  (cd "$copy/node_modules/better-sqlite3" && npm_config_nodedir="$node_home" "$node_bin" "$node_gyp" rebuild --release --nodedir="$node_home" --jobs=2 >"$copy/better-sqlite3-build.log" 2>&1) \
    || { tail -30 "$copy/better-sqlite3-build.log" >&2; echo "test-node.sh: building better-sqlite3 failed (log above)" >&2; exit 1; }
  touch "$stamp"
fi

cd "$copy"
export PATH="$node_home/bin:$PATH"
"$node_bin" -e 'require("better-sqlite3")(":memory:").close()' \
  || { echo "test-node.sh: better-sqlite3 does not load on Node $version" >&2; exit 1; }
echo "test-node.sh: running the tests on Node $version" >&2
exec bash scripts/test.sh "$@"
