"""``python -m policybench.lm_eval_path`` prints the folder to pass to lm-eval's ``--include_path``."""

from policybench import LM_EVAL_TASKS

if __name__ == "__main__":
    print(LM_EVAL_TASKS)
