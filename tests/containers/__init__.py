"""The Docker files built and run for real (`make test-container`, marker ``container``)."""
