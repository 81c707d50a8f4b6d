from hengelo_analysis.cli import main

raise SystemExit(main())
