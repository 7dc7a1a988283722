#!/usr/bin/env bash
# The PyTorch-backend check: install CPU PyTorch into the current Python environment and run
# the recorder, builder, training and transfer tests with KERAS_BACKEND=torch.
#
#   bash .ci/torch_step.sh            # extra arguments go to pytest
#   PYTHON=/path/to/python TORCH_SPEC="torch==2.13.0" bash .ci/torch_step.sh
#   TORCH_STEP_MARK="backend_neutral or torch" bash .ci/torch_step.sh   # the slow tests too
#   TORCH_INDEX=https://download.pytorch.org/whl/cpu bash .ci/torch_step.sh   # CPU wheels from that index
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=lib.sh
. .ci/lib.sh
py=$(ci_python)

start=$(date +%s)
# Pinned to the release this project was last checked with.
index=()
if [[ -n "${TORCH_INDEX:-}" ]]; then
  index=(--index-url "$TORCH_INDEX")
fi
"$py" -m pip install --quiet --disable-pip-version-check ${index[@]+"${index[@]}"} "${TORCH_SPEC:-torch==2.13.0}"
installed=$(date +%s)
echo "torch step: $("$py" -c 'import torch; print("torch", torch.__version__)') installed in $((installed - start)) s"

# Marked backend_neutral (also run on JAX) or torch (checked on PyTorch, not on JAX).
files=(tests/test_recorders.py tests/test_models.py tests/test_training.py tests/test_transfer.py)
export KERAS_BACKEND=torch TF_CPP_MIN_LOG_LEVEL=2 MPLBACKEND=Agg
ci_pytest "torch step" "$py" "$start" -m "${TORCH_STEP_MARK:-(backend_neutral or torch) and not slow}" \
  "${files[@]}" "$@"
