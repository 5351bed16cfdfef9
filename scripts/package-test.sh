#!/usr/bin/env bash
# The package test: both published packages, as their users get them.
#
#   bash scripts/package-test.sh        clone, pack, install, run everywhere, lint both packages
#   KEEP=1 bash scripts/package-test.sh keep the temporary project (its path is printed)
#
# Everything starts from a fresh `git clone` of this repository (the committed
# tree, HEAD) in a temporary directory:
# Deno from source: `deno check` of every entry and `deno run src/cli/main.ts`
# in the clone before any node_modules exists (deno.json resolves npm: itself).
# npm: `npm pack` in the clone (its prepack builds dist/ with tsup; the
# clone borrows this repository's node_modules, same lock file), and the
# tarball is installed into an empty project outside the repository; from
# there Node 24, Node 22, Bun and Deno (npm: specifier, node_modules of that
# project) import `kafka-notify` and do a round trip against KAFKA_URL
# (default kafka://127.0.0.1:9092): listen + createNotifier + info +
# receive; the per-runtime entry (kafka-notify/node, /bun, /deno) does the
# same; CommonJS `require("kafka-notify")` does it on Node 24, Node 22 and
# Bun. Each also loads the runtime-independent subpaths (kafka-notify/errors,
# /schema, /observe, /config) and checks that they share the main entry's
# KafkaNotifyError. The installed bin runs, a strict TypeScript consumer type-checks,
# publint and @arethetypeswrong/cli lint the tarball.
# JSR: `deno publish --dry-run` (no slow types, tests and scripts left out),
# `deno doc --lint` and the HTML API reference (`deno doc --html`) of every entry.
# scripts/check-packages.ts checks that the two manifests agree.
#
# Every step runs under a time limit and logs to .cache/package-test/<step>.log;
# a summary follows; the exit status is 1 when any step failed or was skipped.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LOGS="$ROOT/.cache/package-test"
rm -rf "$LOGS"
mkdir -p "$LOGS"

PUBLINT="publint@0.3.25"
ATTW="@arethetypeswrong/cli@0.18.5"
export KAFKA_URL="${KAFKA_URL:-kafka://127.0.0.1:9092}"
export NO_COLOR=1 DENO_NO_UPDATE_CHECK=1 DENO_NO_PROMPT=1 npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

eval "$(bash scripts/runtimes.sh paths)"
for name in NODE24 NODE22 DENO BUN; do
  if [[ -z "${!name:-}" || ! -x "${!name}" ]]; then
    echo "package-test: runtime $name is missing; run: bash scripts/runtimes.sh install" >&2
    exit 2
  fi
done
# npm, npx, tsup and the installed bin run on Node 24.
export PATH="$(dirname "$NODE24"):$PATH"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kafka-notify-package.XXXXXX")"
PROJECT="$WORK/project"
CLONE="$WORK/clone"
cleanup() {
  if [[ "${KEEP:-}" == 1 ]]; then echo "package-test: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

STEPS=()
declare -A RESULT SECONDS_TAKEN NOTE
FAILED=0

# step NAME SECONDS NEEDS COMMAND...: runs COMMAND (a function or program) under
# `timeout SECONDS`, unless the step named NEEDS did not pass; logs, records.
step() {
  local name="$1" limit="$2" needs="$3"
  shift 3
  STEPS+=("$name")
  if [[ -n "$needs" && "${RESULT[$needs]:-}" != ok ]]; then
    RESULT[$name]=skipped
    SECONDS_TAKEN[$name]=0
    NOTE[$name]="needs $needs"
    FAILED=1
    printf '\n== %s: skipped (needs %s)\n' "$name" "$needs"
    return
  fi
  printf '\n== %s\n' "$name"
  local log="$LOGS/$name.log" start=$SECONDS status=0
  # A fresh bash per step (functions and variables exported), so that timeout can end it
  # and everything it started: timeout signals its whole process group.
  timeout --kill-after=10 "$limit" bash -c '"$@"' "$name" "$@" >"$log" 2>&1 </dev/null || status=$?
  SECONDS_TAKEN[$name]=$((SECONDS - start))
  if [[ $status -eq 0 ]]; then
    RESULT[$name]=ok
    tail -n "${SHOW_LINES:-6}" "$log" | sed 's/^/   /'
  else
    RESULT[$name]=FAIL
    FAILED=1
    [[ $status -eq 124 ]] && NOTE[$name]="timed out after ${limit}s" || NOTE[$name]="exit $status"
    tail -n 40 "$log" | sed 's/^/   /'
    printf '   -> FAIL (%s), log: %s\n' "${NOTE[$name]}" "$log"
  fi
}

# ---- a fresh clone ------------------------------------------------------------------

clone() {
  if [[ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]]; then
    echo "note: $ROOT has uncommitted changes; the package test uses the committed tree (HEAD)"
  fi
  git clone --quiet --no-hardlinks "$ROOT" "$CLONE" || return 1
  echo "cloned $(git -C "$CLONE" log --oneline -1)"
  [[ ! -e "$CLONE/node_modules" && ! -e "$CLONE/dist" ]] || { echo "the clone has node_modules or dist"; return 1; }
}

in_clone() { cd "$CLONE" && "$@"; }

# JSR users run the source: no npm install, no node_modules (checked), npm: from Deno's cache.
deno_source() {
  cd "$CLONE" || return 1
  "$DENO" check mod.ts src/entries/*.ts src/cli/main.ts || return 1
  "$DENO" run -A src/cli/main.ts --version || return 1
  "$DENO" run -A src/cli/main.ts check --url "$KAFKA_URL" --timeout 30 || return 1
  [[ ! -e node_modules ]] || { echo "deno made a node_modules folder"; return 1; }
}

# ---- npm ---------------------------------------------------------------------------

# The tarball npm pack wrote (its name is kept in $WORK/tarball, since steps run in child shells).
tarball() { cat "$WORK/tarball"; }
# npm pack in the clone: its prepack script builds dist/ (tsup, from the repository's node_modules).
pack() {
  local file
  ln -s "$ROOT/node_modules" "$CLONE/node_modules" || return 1
  cd "$CLONE" || return 1
  npm pack --pack-destination "$WORK" || return 1
  file="$(ls "$WORK"/kafka-notify-*.tgz)"
  [[ -f "$file" ]] || { echo "no tarball in $WORK"; return 1; }
  echo "$file" >"$WORK/tarball"
  echo "$file ($(du -k "$file" | cut -f1) kB)"
}

check_manifests() { in_clone "$NODE24" scripts/check-packages.ts --built; }

# What the tarball holds: dist/ (with .d.ts and maps), the manifest and docs; nothing else.
tarball_contents() {
  local list missing=0
  list="$(tar -tzf "$(tarball)" | sed 's|^package/||' | sort)"
  echo "$list"
  for need in package.json README.md LICENSE dist/mod.js dist/mod.d.ts dist/mod.js.map dist/cli.js \
    dist/node.js dist/deno.js dist/bun.js dist/workerd.js dist/workerd.d.ts \
    dist/errors.js dist/errors.d.ts dist/schema.js dist/schema.d.ts dist/observe.js dist/observe.d.ts dist/config.js dist/config.d.ts; do
    grep -qx "$need" <<<"$list" || { echo "MISSING from the tarball: $need"; missing=1; }
  done
  if grep -vE '^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist/.*)$' <<<"$list"; then
    echo "UNEXPECTED files in the tarball (above)"
    missing=1
  fi
  # require() of an ES module needs a module graph without top-level await.
  if tar -xzOf "$(tarball)" --wildcards 'package/dist/*.js' | grep -nE '^(await |export default await|const .* = await )'; then
    echo "top-level await in dist/ (above): require(\"kafka-notify\") would fail"
    missing=1
  fi
  echo "$(wc -l <<<"$list") files"
  return $missing
}

install_tarball() {
  mkdir -p "$PROJECT"
  cd "$PROJECT" || return 1
  printf '{ "name": "kafka-notify-package-test", "private": true, "type": "module" }\n' >package.json
  npm install --no-audit --no-fund "$(tarball)" || return 1
  cp "$ROOT"/tests/package/*.mjs "$ROOT"/tests/package/*.cjs .
  # The installed copy must be the tarball's: a file: dependency, not a registry version.
  "$NODE24" -e '
    const pkg = require("./package.json"), dep = pkg.dependencies["kafka-notify"];
    if (!dep.startsWith("file:")) throw new Error("kafka-notify installed as " + dep);
    console.log("kafka-notify", dep, "->", require("./node_modules/kafka-notify/package.json").version);'
}

in_project() { cd "$PROJECT" && "$@"; }

node24() { in_project "$NODE24" node.mjs && in_project "$NODE24" entry.mjs; }
node22() { in_project "$NODE22" node.mjs && in_project "$NODE22" entry.mjs; }
bun() { in_project "$BUN" node.mjs && in_project "$BUN" entry.mjs; }
# CommonJS: require("kafka-notify") (Node >= 22.12 and Bun load the ES module synchronously).
require_node24() { in_project "$NODE24" require.cjs; }
require_node22() { in_project "$NODE22" require.cjs; }
require_bun() { in_project "$BUN" require.cjs; }
# Deno: `npm:kafka-notify` resolved from the project's node_modules (the tarball), not the registry.
deno_npm() {
  in_project "$DENO" eval --node-modules-dir=manual \
    'const r = import.meta.resolve("npm:kafka-notify"); console.log("npm:kafka-notify ->", r); if (!r.includes("/project/node_modules/kafka-notify/")) Deno.exit(1);' &&
    in_project "$DENO" run -A --node-modules-dir=manual deno.mjs
}

cli() {
  cd "$PROJECT" || return 1
  node_modules/.bin/kafka-notify --version || return 1
  # bunx follows the #!/usr/bin/env node line; --bun runs the command on Bun (as the README says).
  "$BUN" x --bun kafka-notify --version || return 1
  node_modules/.bin/kafka-notify --help | head -n 3 || return 1
  node_modules/.bin/kafka-notify check --url "$KAFKA_URL"
}

# A strict TypeScript consumer (NodeNext resolution, skipLibCheck off) of the installed types.
# Notifier and Listener extend AsyncDisposable (`await using`), which TypeScript declares in
# lib esnext.disposable (and @types/node declares too); without either, a consumer with
# skipLibCheck off gets TS2304 in dist/mod.d.ts. The consumer states that requirement.
types() {
  cd "$PROJECT" || return 1
  cat >consumer.ts <<'EOF'
import { type Context, createNotifier, KafkaNotifyError, type Listener, type ListenOptions, listen, type Notifier, PRIORITIES, type Priority } from "kafka-notify";
import { maskUrl } from "kafka-notify/config";
import { ConfigError } from "kafka-notify/errors";
import type { NotifierStats } from "kafka-notify/observe";
import { versionedPayload } from "kafka-notify/schema";

const options: ListenOptions = { topics: ["notifications"], onNotification: (n) => void n.payload };
export async function use(url: string): Promise<void> {
  const notifier: Notifier = createNotifier(url, { publisherId: "compute.host1", compressionCodec: "zstd" });
  const ctxt: Context = { request_id: "req-1" };
  const priority: Priority = PRIORITIES[0] ?? "info";
  await notifier[priority](ctxt, "compute.instance.create.end", { instance_id: "i-1" });
  const listener: Listener = await listen(url, options);
  await listener.stop();
  await notifier.close();
  if (new ConfigError("url", "bad").field !== "url") throw new Error("field");
  if (!(new ConfigError("url", "bad") instanceof KafkaNotifyError)) throw new Error("one KafkaNotifyError across entries");
  const stats: NotifierStats = notifier.stats();
  const vendor: string = versionedPayload({ name: "InstancePayload" })["~standard"].vendor;
  if (maskUrl(url).includes("secret") || stats.acknowledged < 0 || vendor !== "kafka-notify") throw new Error("subpaths");
}
EOF
  cat >tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "lib": ["ES2023", "ESNext.Disposable"],
    "types": [], "strict": true, "exactOptionalPropertyTypes": true, "skipLibCheck": false, "noEmit": true
  },
  "files": ["consumer.ts"]
}
EOF
  "$NODE24" "$ROOT/node_modules/typescript/bin/tsc" -p . --listFilesOnly | grep -c 'node_modules/kafka-notify/' | sed 's/$/ kafka-notify declaration file(s)/' &&
    "$NODE24" "$ROOT/node_modules/typescript/bin/tsc" -p . && echo "consumer.ts type-checks against node_modules/kafka-notify/dist/{mod,config,errors,observe,schema}.d.ts"
}

publint() { cd "$WORK" && npx --yes "$PUBLINT" run --strict "$(tarball)"; }

# Every resolution, CommonJS included. One rule is off: cjs-resolves-to-esm says that CommonJS
# can only import() an ES module, which stopped being true with Node 22.12 (require of ESM
# without top-level await, tested above on Node 22, Node 24 and Bun) and TypeScript 5.8's
# nodenext. The node10 column resolves the subpaths through typesVersions.
attw() { cd "$WORK" && npx --yes "$ATTW" "$(tarball)" --ignore-rules cjs-resolves-to-esm --format table-flipped --no-color; }

# ---- JSR -----------------------------------------------------------------------------

# In the clone: the committed tree, as `deno publish` sees it in CI. The dry run neither logs
# in to nor uploads to jsr.io.
deno_publish() {
  local out status=0
  cd "$CLONE" || return 1
  out="$("$DENO" publish --dry-run 2>&1)" || status=$?
  echo "$out"
  [[ $status -eq 0 ]] || return $status
  grep -q "Success Dry run complete" <<<"$out" || { echo "no 'Success Dry run complete'"; return 1; }
  if grep -E "^error|slow-type|missing-explicit" <<<"$out"; then echo "errors or slow types above"; return 1; fi
  if grep -E "file://$CLONE/(tests|scripts|dist|node_modules|examples|\.cache)/" <<<"$out"; then echo "files above must not be published"; return 1; fi
  echo "published files: $(grep -c "file://" <<<"$out"); none under tests/, scripts/, examples/, dist/"
}

deno_doc_lint() { in_clone "$DENO" doc --lint mod.ts src/entries/*.ts && echo "deno doc --lint: no problems"; }

# The HTML API reference (what `npm run docs` writes to docs/api/), built from the clone.
api_docs() { cd "$CLONE" && bash scripts/docs.sh "$WORK/api"; }

export ROOT WORK PROJECT CLONE LOGS PUBLINT ATTW NODE24 NODE22 DENO BUN
export -f tarball clone in_clone deno_source check_manifests pack tarball_contents install_tarball in_project node24 node22 bun \
  require_node24 require_node22 require_bun deno_npm cli types publint attw deno_publish deno_doc_lint api_docs

# ---- run --------------------------------------------------------------------------------

echo "package-test: broker $KAFKA_URL, temporary project $PROJECT"
echo "  node24 $("$NODE24" --version), node22 $("$NODE22" --version), bun $("$BUN" --version), $("$DENO" --version | head -n 1)"

step clone 60 "" clone
step deno-source 300 clone deno_source
step npm-pack 300 clone pack
step check-packages 120 npm-pack check_manifests
step tarball-contents 30 npm-pack tarball_contents
step install 300 npm-pack install_tarball
step node24 120 install node24
step node22 120 install node22
step bun 120 install bun
step require-node24 120 install require_node24
step require-node22 120 install require_node22
step require-bun 120 install require_bun
step deno 180 install deno_npm
step bin 60 install cli
step types 120 install types
step publint 180 npm-pack publint
step attw 180 npm-pack attw
step deno-publish-dry-run 300 clone deno_publish
step deno-doc-lint 120 clone deno_doc_lint
step api-docs 180 clone api_docs

printf '\n== summary\n'
for name in "${STEPS[@]}"; do
  printf '  %-22s %-8s %4ss  %s\n' "$name" "${RESULT[$name]}" "${SECONDS_TAKEN[$name]}" "${NOTE[$name]:-}"
done
if [[ $FAILED -ne 0 ]]; then
  echo "package-test: FAILED (logs in $LOGS)"
  exit 1
fi
echo "package-test: all ${#STEPS[@]} steps passed (logs in $LOGS)"
