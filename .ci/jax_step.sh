#!/usr/bin/env bash
# The second-backend check: install CPU JAX into the current Python environment
# and run every test marked `backend_neutral` with KERAS_BACKEND=jax.
#
#   bash .ci/jax_step.sh            # extra arguments go to pytest
#   PYTHON=/path/to/python JAX_SPEC="jax==0.10.2" bash .ci/jax_step.sh
#   JAX_STEP_MARK="backend_neutral and not slow" bash .ci/jax_step.sh   # skip the property tests
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=lib.sh
. .ci/lib.sh
py=$(ci_python)

start=$(date +%s)
# Pinned to the release this project was last checked with; newer jaxlib
# wheels may want a newer ml_dtypes than TensorFlow accepts.
"$py" -m pip install --quiet --disable-pip-version-check "${JAX_SPEC:-jax==0.10.2}"
installed=$(date +%s)
echo "jax step: $("$py" -c 'import jax; print("jax", jax.__version__)') installed in $((installed - start)) s"

export KERAS_BACKEND=jax JAX_PLATFORMS=cpu TF_CPP_MIN_LOG_LEVEL=2 MPLBACKEND=Agg
ci_pytest "jax step" "$py" "$start" -m "${JAX_STEP_MARK:-backend_neutral}" "$@"
