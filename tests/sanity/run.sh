#!/usr/bin/env bash
# ansible-test sanity needs the collection at .../ansible_collections/openedx/data_services: copy the
# tracked (and untracked, not ignored) files there and run it with its own pinned tool environments.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/openedx/data_services"
mkdir -p "$dest"
cd "$root"
# ansible-test bootstraps pip in its tool venvs with a get-pip script it downloads; use ours instead.
requirements_py=$("$root/.venv/bin/python" -c \
  'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py"))')
pip_version=$(grep -oP "pip='\K[0-9.]+" "$requirements_py")
mkdir -p ~/.ansible/test/cache
cp "$root/tests/sanity/get_pip.py" ~/.ansible/test/cache/get_pip_"${pip_version//./_}".py
git ls-files -z --cached --others --exclude-standard | grep -z -v '^\.collections/' \
  | xargs -0 -I{} cp --parents -P {} "$dest/"
# The import test loads module_utils of the collections we depend on: put them beside ours.
site_collections=$("$root/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections
for namespace in amazon community; do
  ln -s "$site_collections/$namespace" "$work/ansible_collections/$namespace"
done
cd "$dest"
git init -q . && git add -A >/dev/null   # ansible-test lists the collection's files through git
# The sandbox, the benchmark, tools/ and tests/speedup/ are development tools, not shipped (galaxy.yml build_ignore).
excludes=()
for path in sandbox/ bench/ tools/ tests/unit/sandbox/ tests/component/sandbox/ tests/speedup/; do
  [ -e "$path" ] && excludes+=(--exclude "$path")
done
python_version=$("$root/.venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
"$root/.venv/bin/ansible-test" sanity --venv --python "$python_version" "${excludes[@]}" "$@"
