#!/usr/bin/env bash
# Copies what mirror/manifest.json lists into the account, refusing anything whose upstream digest is
# not the pinned one (docs/runbooks/first-deploy.md, step "Fill the mirrors"):
#
#   scripts/mirror.sh images --manifest mirror/manifest.json --target <registry> [--prefix fitness-platform/mirror] [--insecure]
#   scripts/mirror.sh charts --manifest mirror/manifest.json --target <registry> [--prefix fitness-platform/charts] [--insecure]
#   scripts/mirror.sh debian --manifest mirror/manifest.json --target <dir|s3://bucket> [--keyring <file>] [--upstream <path>=<url>]...
#
# images: the tag's manifest digest upstream must equal the pinned digest; the copy keeps every
#   platform of a multi-arch index and its digest (skopeo copy --all --preserve-digests), and the
#   target is checked to serve the same digest.
# charts: the pinned digest must match upstream (an OCI repository's manifest digest, or an HTTP
#   repository's archive SHA-256); OCI charts are copied with skopeo keeping their digest and Helm media
#   types, archives are wrapped as Helm's OCI artifact (deterministic) and pushed with skopeo. No helm needed.
# debian: InRelease verified with gpgv against the Debian archive keyring; the Packages indices
#   verified against the signed Release; the packages (with their dependency closure) verified against
#   the Packages indices. Release, InRelease and Release.gpg are copied unchanged, so hosts verify the
#   archive's own signature (apt's Signed-By) and an altered byte is refused.
# Exit codes: 0 copied, 1 a digest or signature differs (nothing of that item is copied), 2 usage.
set -euo pipefail
shopt -s extglob

die() { echo "mirror: $*" >&2; exit 1; }
usage() { sed -n '4,6p' "$0" | sed 's/^#   /usage: /' >&2; exit 2; }

[ $# -ge 1 ] || usage
kind="$1"; shift
manifest="" target="" prefix="" insecure=0 keyring=/usr/share/keyrings/debian-archive-keyring.gpg
declare -A upstream_override=()
while [ $# -gt 0 ]; do
  case "$1" in
    --manifest) manifest="$2"; shift 2 ;;
    --target) target="$2"; shift 2 ;;
    --prefix) prefix="$2"; shift 2 ;;
    --insecure) insecure=1; shift ;;
    --keyring) keyring="$2"; shift 2 ;;
    --upstream) upstream_override["${2%%=*}"]="${2#*=}"; shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$manifest" ] && [ -n "$target" ] || usage
[ -r "$manifest" ] || { echo "mirror: cannot read manifest $manifest" >&2; exit 2; }

sha256_of() { sha256sum | cut -d' ' -f1; }

mirror_images() {
  local copy_tls=() inspect_tls=() prefix="${prefix:-fitness-platform/mirror}"
  if [ "$insecure" = 1 ]; then copy_tls=(--src-tls-verify=false --dest-tls-verify=false); inspect_tls=(--tls-verify=false); fi
  local n; n=$(jq '.images | length' "$manifest")
  for ((i = 0; i < n; i++)); do
    local name source tag digest actual dest copied
    name=$(jq -r ".images[$i].name" "$manifest"); source=$(jq -r ".images[$i].source" "$manifest")
    tag=$(jq -r ".images[$i].tag" "$manifest"); digest=$(jq -r ".images[$i].digest" "$manifest")
    actual="sha256:$(skopeo inspect "${inspect_tls[@]}" --raw "docker://$source:$tag" | sha256_of)" || die "$source:$tag: cannot read the upstream manifest"
    [ "$actual" = "$digest" ] || die "$source:$tag is $actual upstream, pinned $digest: refusing to mirror (update images.mirrored only after review)"
    dest="$target/$prefix/$name"
    skopeo copy "${copy_tls[@]}" --all --preserve-digests --quiet "docker://$source@$digest" "docker://$dest:$tag"
    copied="sha256:$(skopeo inspect "${inspect_tls[@]}" --raw "docker://$dest:$tag" | sha256_of)"
    [ "$copied" = "$digest" ] || die "$dest:$tag serves $copied after the copy, expected $digest"
    echo "image $name: $source:$tag@$digest -> $dest:$tag"
  done
}

# The chart archive's URL in an HTTP chart repository, from its index.yaml (relative URLs resolved).
chart_archive_url() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys, urllib.parse, urllib.request, yaml
repo, chart, version = sys.argv[1:4]
with urllib.request.urlopen(repo.rstrip("/") + "/index.yaml") as r:
    index = yaml.safe_load(r.read())
for entry in (index.get("entries") or {}).get(chart) or []:
    if str(entry.get("version")) == version and entry.get("urls"):
        print(urllib.parse.urljoin(repo.rstrip("/") + "/", entry["urls"][0]))
        sys.exit(0)
sys.exit(1)
PY
}

# Wraps a chart archive as the OCI artifact `helm push` makes (Helm's config and content media types),
# deterministically: the same archive always gives the same manifest digest. Prints that digest.
chart_oci_layout() {
  local tgz="$1" chart="$2" version="$3" dir="$4" blobs="$4/blobs/sha256"
  mkdir -p "$blobs"
  local layer config manifest
  layer=$(sha256_of < "$tgz"); cp "$tgz" "$blobs/$layer"
  tar -xzOf "$tgz" "$chart/Chart.yaml" | python3 -c 'import json, sys, yaml; sys.stdout.write(json.dumps(yaml.safe_load(sys.stdin), sort_keys=True, separators=(",", ":")))' > "$dir/config.json" \
    || return 1
  config=$(sha256_of < "$dir/config.json"); mv "$dir/config.json" "$blobs/$config"
  printf '{"schemaVersion":2,"config":{"mediaType":"application/vnd.cncf.helm.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.cncf.helm.chart.content.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$(stat -c %s "$blobs/$config")" "$layer" "$(stat -c %s "$blobs/$layer")" > "$dir/manifest.json"
  manifest=$(sha256_of < "$dir/manifest.json"); mv "$dir/manifest.json" "$blobs/$manifest"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest" "$(stat -c %s "$blobs/$manifest")" "$version" > "$dir/index.json"
  echo "sha256:$manifest"
}

mirror_charts() {
  local prefix="${prefix:-fitness-platform/charts}" work copy_tls=() dest_tls=() inspect_tls=(); work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  if [ "$insecure" = 1 ]; then copy_tls=(--src-tls-verify=false --dest-tls-verify=false); dest_tls=(--dest-tls-verify=false); inspect_tls=(--tls-verify=false); fi
  local n; n=$(jq '.charts | length' "$manifest")
  for ((i = 0; i < n; i++)); do
    local chart version repository digest dest actual expected
    chart=$(jq -r ".charts[$i].chart" "$manifest"); version=$(jq -r ".charts[$i].version" "$manifest")
    repository=$(jq -r ".charts[$i].repository" "$manifest"); digest=$(jq -r ".charts[$i].digest // empty" "$manifest")
    [ -n "$digest" ] || die "chart $chart $version has no pinned digest (src/mirror/chart-pins.ts): refusing to mirror an unpinned chart"
    dest="$target/$prefix/$chart"
    case "$repository" in
      oci://*)
        # An OCI chart is copied as it is: manifest, Helm config and content blobs, digest preserved.
        local source="${repository#oci://}"
        actual="sha256:$(skopeo inspect "${inspect_tls[@]}" --raw "docker://$source:$version" | sha256_of)" || die "$source:$version: cannot read the upstream manifest"
        [ "$actual" = "$digest" ] || die "chart $source:$version is $actual upstream, pinned $digest: refusing to mirror"
        skopeo copy "${copy_tls[@]}" --preserve-digests --quiet "docker://$source@$digest" "docker://$dest:$version"
        expected="$digest"
        ;;
      *)
        # An HTTP repository's archive must hash to the pin; it then goes to ECR as Helm's OCI artifact.
        local url tgz="$work/$chart-$version.tgz" layout="$work/$chart-$version"
        url=$(chart_archive_url "$repository" "$chart" "$version") || die "$repository/index.yaml lists no $chart $version"
        fetch "$url" "$tgz" || die "$url: not found"
        actual="sha256:$(sha256_of < "$tgz")"
        [ "$actual" = "$digest" ] || die "chart $url is $actual, pinned $digest: refusing to mirror"
        expected=$(chart_oci_layout "$tgz" "$chart" "$version" "$layout") || die "$url: no $chart/Chart.yaml in the archive"
        skopeo copy "${dest_tls[@]}" --preserve-digests --quiet "oci:$layout:$version" "docker://$dest:$version"
        ;;
    esac
    actual="sha256:$(skopeo inspect "${inspect_tls[@]}" --raw "docker://$dest:$version" | sha256_of)"
    [ "$actual" = "$expected" ] || die "$dest:$version serves $actual after the copy, expected $expected"
    echo "chart $chart $version: $repository@$digest -> oci://$dest:$version ($expected)"
  done
}

# fetch <url> <file>: plain HTTP(S) GET, failing on any non-2xx answer.
fetch() { curl --fail --silent --show-error --location --output "$2" "$1"; }

# The SHA256 section of a Release file as "<hash> <size> <path>" lines.
release_sha256() { awk '/^SHA256:/ { on = 1; next } /^[^ ]/ { on = 0 } on { print $1, $2, $3 }' "$1"; }

mirror_debian() {
  local stage work; stage=$(mktemp -d); work=$(mktemp -d)
  trap 'rm -rf "$stage" "$work"' RETURN
  local arch; arch=$(jq -r '.debian.architectures[0]' "$manifest")
  local sources="$work/sources.list"; : > "$sources"
  local na; na=$(jq '.debian.archives | length' "$manifest")
  for ((a = 0; a < na; a++)); do
    local path upstream components suites
    path=$(jq -r ".debian.archives[$a].path" "$manifest")
    upstream="${upstream_override[$path]:-$(jq -r ".debian.archives[$a].upstream" "$manifest")}"
    components=$(jq -r ".debian.archives[$a].components | join(\" \")" "$manifest")
    suites=$(jq -r ".debian.archives[$a].suites[]" "$manifest")
    for suite in $suites; do
      local dists="$stage/$path/dists/$suite"; mkdir -p "$dists"
      fetch "$upstream/dists/$suite/InRelease" "$dists/InRelease" || die "$upstream/dists/$suite/InRelease: not found"
      gpgv --keyring "$keyring" --output "$work/Release.$path.$suite" "$dists/InRelease" 2>/dev/null \
        || die "$upstream/dists/$suite/InRelease: the signature does not verify against $keyring"
      fetch "$upstream/dists/$suite/Release" "$dists/Release" 2>/dev/null || rm -f "$dists/Release"
      fetch "$upstream/dists/$suite/Release.gpg" "$dists/Release.gpg" 2>/dev/null || rm -f "$dists/Release.gpg"
      local by_hash=0; grep -qi '^Acquire-By-Hash: *yes' "$work/Release.$path.$suite" && by_hash=1
      for component in $components; do
        while read -r hash size file; do
          case "$file" in "$component/binary-$arch/"*) ;; *) continue ;; esac
          mkdir -p "$(dirname "$dists/$file")"
          fetch "$upstream/dists/$suite/$file" "$dists/$file" 2>/dev/null || { rm -f "$dists/$file"; continue; }
          [ "$(sha256_of < "$dists/$file")" = "$hash" ] && [ "$(stat -c %s "$dists/$file")" = "$size" ] \
            || die "$upstream/dists/$suite/$file: differs from the signed Release"
          if [ "$by_hash" = 1 ]; then
            mkdir -p "$(dirname "$dists/$file")/by-hash/SHA256"; cp "$dists/$file" "$(dirname "$dists/$file")/by-hash/SHA256/$hash"
          fi
        done < <(release_sha256 "$work/Release.$path.$suite")
      done
      echo "deb [arch=$arch signed-by=$keyring] file://$stage/$path $suite $components" >> "$sources"
      echo "$path $suite: InRelease verified, indices match the signed Release"
    done
  done
  # The dependency closure of the package set, as apt resolves it on an empty system, from the verified indices.
  local apt=(-o "Dir::State=$work/state" -o "Dir::State::status=$work/status" -o "Dir::Cache=$work/cache" -o "Dir::Etc::SourceList=$sources"
    -o "Dir::Etc::SourceParts=$work/none" -o "Dir::Etc::Preferences=$work/none" -o "Dir::Etc::PreferencesParts=$work/none"
    -o "APT::Architecture=$arch" -o "APT::Architectures::=$arch" -o "Debug::NoLocking=1" -o "Acquire::Languages=none" -o "APT::Sandbox::User=root")
  mkdir -p "$work/state/lists/partial" "$work/cache/archives/partial" "$work/none"; : > "$work/status"
  apt-get "${apt[@]}" -qq update || die "apt cannot read the staged indices"
  mapfile -t packages < <(jq -r '.debian.packages[]' "$manifest")
  apt-get "${apt[@]}" -qq --print-uris --no-install-recommends install "${packages[@]}" > "$work/uris" || die "apt cannot resolve: ${packages[*]}"
  # Filename -> SHA256 from the staged (signature-checked) Packages indices: what each pool file must hash to.
  local index="$work/pool-hashes"; : > "$index"
  while IFS= read -r packages_file; do
    local archive_dir="${packages_file#"$stage"/}"; archive_dir="${archive_dir%%/*}"
    case "$packages_file" in *.gz) zcat "$packages_file" ;; *.xz) xzcat "$packages_file" ;; *) cat "$packages_file" ;; esac \
      | awk -v a="$archive_dir" '/^Filename:/ { f = $2 } /^SHA256:/ { h = $2 } /^$/ { if (f != "") print a "/" f, h; f = h = "" } END { if (f != "") print a "/" f, h }' >> "$index"
  done < <(find "$stage" -path '*/binary-*/Packages*' -not -path '*/by-hash/*' -type f)
  local count=0
  while read -r uri _rest; do
    uri="${uri#\'}"; uri="${uri%\'}"; uri="/${uri#file:}"; uri="/${uri##*(/)}"
    local rel="${uri#"$stage"/}" archive pool
    archive="${rel%%/*}"; pool="${rel#*/}"
    local up="${upstream_override[$archive]:-$(jq -r --arg p "$archive" '.debian.archives[] | select(.path == $p) | .upstream' "$manifest")}"
    mkdir -p "$(dirname "$stage/$rel")"
    fetch "$up/$pool" "$stage/$rel" || die "$up/$pool: not found"
    local want; want=$(awk -v f="$rel" '$1 == f { print $2; exit }' "$index")
    [ -n "$want" ] && [ "$(sha256_of < "$stage/$rel")" = "$want" ] || die "$up/$pool: differs from the signed Packages index"
    count=$((count + 1))
  done < "$work/uris"
  echo "packages: ${#packages[@]} requested, $count files with dependencies, each verified"
  case "$target" in
    s3://*) aws s3 sync --no-progress --exact-timestamps "$stage/" "$target/" >/dev/null ;;
    *) mkdir -p "$target"; cp -a "$stage/." "$target/" ;;
  esac
  echo "debian mirror written to $target"
}

case "$kind" in
  images) mirror_images ;;
  charts) mirror_charts ;;
  debian) mirror_debian ;;
  *) usage ;;
esac
