"""cfiddle-sandbox-run, unchanged, that also says on stderr which of the modules it defers the experiment made it
load (`loaded after the experiment: [...]`). Usage: as cfiddle-sandbox-run (stdin, stdout, stderr)."""
import importlib.machinery
import importlib.util
import sys
import types

loader = importlib.machinery.SourceFileLoader("sandbox_run", "/usr/local/bin/cfiddle-sandbox-run")
sandbox_run = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
loader.exec_module(sandbox_run)
load_cfiddle = sandbox_run.load_cfiddle


def load_reporting_cfiddle():
    invoke_runner = load_cfiddle()

    def invoke_and_report(runner, results):
        invoke_runner(runner, results)
        loaded = [n for n in sandbox_run.DEFERRED_MODULES if type(sys.modules.get(n)) is types.ModuleType]
        print(f"loaded after the experiment: {loaded}", file=sys.stderr, flush=True)
    return invoke_and_report


sandbox_run.load_cfiddle = load_reporting_cfiddle
sandbox_run.main()
sandbox_run.exit_now(0)
