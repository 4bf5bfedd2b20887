#!/usr/bin/env sh
# << _("Runs formgen for the pre-commit hook (.pre-commit-config.yaml) wherever it is installed. Desktop git clients run hooks with a short PATH, without the folder of a virtual environment or of pipx, so formgen is looked for in turn: FORMGEN (formgen's full path, if set), the PATH, the site's .venv or venv, pipx's and pip --user's folders.")|comment >>
for candidate in "${FORMGEN:-}" "$(command -v formgen 2>/dev/null)" \
    .venv/bin/formgen .venv/Scripts/formgen.exe venv/bin/formgen venv/Scripts/formgen.exe \
    "${HOME:-}/.local/bin/formgen" "${HOME:-}/.local/bin/formgen.exe" \
    /opt/homebrew/bin/formgen /usr/local/bin/formgen \
    "${HOME:-}"/Library/Python/3.*/bin/formgen "${APPDATA:-}"/Python/Python3*/Scripts/formgen.exe; do
    if [ -n "$candidate" ] && [ -f "$candidate" ] && [ -x "$candidate" ]; then
        exec "$candidate" "$@"
    fi
done
echo "<< _("formgen was not found (the hook looks on the PATH, in the site's .venv and in pipx's folder): install formgen there, or set FORMGEN to formgen's full path (formgen.exe on Windows), then commit again.")|sh >>" >&2
exit 1
