#!/usr/bin/env bash
# The second-backend check: install CPU JAX into the current Python environment
# and run every test marked `backend_neutral` with KERAS_BACKEND=jax.
#
#   bash .ci/jax_step.sh            # extra arguments go to pytest
#   PYTHON=/path/to/python JAX_SPEC="jax==0.10.2" bash .ci/jax_step.sh
#   JAX_STEP_MARK="backend_neutral and not slow" bash .ci/jax_step.sh   # skip the property tests
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -n "${PYTHON:-}" ]]; then
  py="$PYTHON"
elif [[ -n "${VIRTUAL_ENV:-}" ]]; then
  py="$VIRTUAL_ENV/bin/python"
elif [[ -x .venv/bin/python ]]; then
  py=.venv/bin/python
else
  py=python3
fi

start=$(date +%s)
# Pinned to the release this project was last checked with; newer jaxlib
# wheels may want a newer ml_dtypes than TensorFlow accepts.
"$py" -m pip install --quiet --disable-pip-version-check "${JAX_SPEC:-jax==0.10.2}"
installed=$(date +%s)
echo "jax step: $("$py" -c 'import jax; print("jax", jax.__version__)') installed in $((installed - start)) s"

export KERAS_BACKEND=jax JAX_PLATFORMS=cpu TF_CPP_MIN_LOG_LEVEL=2 MPLBACKEND=Agg
set +e
"$py" -m pytest -m "${JAX_STEP_MARK:-backend_neutral}" -q -p no:cacheprovider "$@"
status=$?
set -e
echo "jax step: pytest exit $status after $(($(date +%s) - start)) s in total"
if [[ $status -eq 5 ]]; then
  echo "jax step: no test is marked backend_neutral; that is a mistake, not a pass" >&2
fi
exit $status
