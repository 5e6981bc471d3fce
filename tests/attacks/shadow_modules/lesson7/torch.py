raise SystemExit('shadowed torch imported')
