#!/usr/bin/env bash
# The low end of the supported Keras range (pyproject.toml: keras>=3.10,<4): run the
# recorder and builder tests on keras 3.10.0, in a second environment that sees every
# other package of the current one (a .pth file) but holds its own, older keras.
#
#   bash .ci/lowest_keras_step.sh            # extra arguments go to pytest
#   KERAS_LOW="keras==3.10.0" PYTHON=/path/to/python bash .ci/lowest_keras_step.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib.sh
. .ci/lib.sh

# The interpreter whose packages the second environment sees (see ci_python).
py=$(ci_python)

start=$(date +%s)
low="$(mktemp -d)/keras-low"
"$py" -m venv --without-pip "$low"
site=$("$low/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
"$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' > "$site/base_env.pth"
# --no-deps: only keras changes; --target: the older keras shadows the base one.
"$py" -m pip install --quiet --disable-pip-version-check --no-deps --target "$site" "${KERAS_LOW:-keras==3.10.0}"
echo "lowest keras step: $("$low/bin/python" -c 'import keras; print("keras", keras.__version__)') ready in $(($(date +%s) - start)) s"

export TF_CPP_MIN_LOG_LEVEL=2 MPLBACKEND=Agg
ci_pytest "lowest keras step" "$low/bin/python" "$start" tests/test_recorders.py tests/test_models.py \
  -m "not slow" "$@"
