# Every kernel on the user node (IPython reads /etc/ipython): tells the student when one of their limits there
# was reached (memory, processes, disk), after the cell that met it. See cfiddle_cluster/limits_notice.py.
c = get_config()  # noqa: F821 (provided by IPython when it loads this file)
c.InteractiveShellApp.extensions.append("cfiddle_cluster.limits_notice")
