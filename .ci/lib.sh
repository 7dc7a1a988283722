# Shared by the CI step scripts (sourced, not run): which Python to use, and one pytest run
# that prints its time and counts "no test selected" as the mistake it is.

# The interpreter of a step: $PYTHON, else the active virtual environment, else ./.venv, else python3.
ci_python() {
  if [[ -n "${PYTHON:-}" ]]; then
    echo "$PYTHON"
  elif [[ -n "${VIRTUAL_ENV:-}" ]]; then
    echo "$VIRTUAL_ENV/bin/python"
  elif [[ -x .venv/bin/python ]]; then
    echo .venv/bin/python
  else
    echo python3
  fi
}

# ci_pytest STEP PYTHON START PYTEST_ARGUMENTS...: run pytest quietly, then say how long the
# step took since START (seconds since the epoch); returns pytest's exit status.
ci_pytest() {
  local step=$1 py=$2 start=$3 status
  shift 3
  set +e
  "$py" -m pytest -q -p no:cacheprovider "$@"
  status=$?
  set -e
  echo "$step: pytest exit $status after $(($(date +%s) - start)) s in total"
  if [[ $status -eq 5 ]]; then
    echo "$step: no test selected; that is a mistake, not a pass" >&2
  fi
  return $status
}
