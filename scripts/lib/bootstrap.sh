# Sourced by the project's entry scripts: npm packages and Node 24 (and the
# other runtimes) from npm, so a fresh clone needs nothing installed by hand.
# Sets NODE24, NODE22, DENO, BUN, WORKERD, ESBUILD.
# `npm install`, not `npm ci`: this npm leaves other platforms' optional
# packages out of the lock file and then refuses `npm ci` on it.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  # --loglevel=error: the machine's npm may run on a Node older than devDependencies' engines
  # ask for (they run on the Node 24 installed next); its EBADENGINE warnings are not ours.
  npm install --no-audit --no-fund --loglevel=error
fi
eval "$(bash scripts/runtimes.sh install)"
