import sys

if "--durable" in sys.argv[1:]:
    from benchmarks.durable.suite import main
elif "--cli" in sys.argv[1:]:
    from benchmarks.cli_bench import main
elif "--serve" in sys.argv[1:]:
    from benchmarks.serve.suite import main
else:
    from benchmarks.suite import main

sys.exit(main())
