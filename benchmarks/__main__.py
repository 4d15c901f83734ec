import sys

if "--durable" in sys.argv[1:]:
    from benchmarks.durable.suite import main
else:
    from benchmarks.suite import main

sys.exit(main())
