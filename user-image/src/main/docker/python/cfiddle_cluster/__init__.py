"""cfiddle-cluster's user-node side: runs cfiddle experiments on the Slurm cluster instead of locally."""
