# -*- Python -*-
# Runs the GoogleTest unit tests; every TEST() is one lit test.

import os

import lit.formats

config.name = "CONVGRAD-UNIT-ASAN" if config.convgrad_sanitizers else "CONVGRAD-UNIT"
config.suffixes = []
config.test_source_root = os.path.join(config.convgrad_obj_root, "unittests")
config.test_exec_root = config.test_source_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
