# -*- Python -*-
# The convgrad lit suite: FileCheck tests of the dialect and passes, and
# integration tests that compile and run the generated code.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "CONVGRAD"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.convgrad_obj_root, "test")

llvm_config.use_default_substitutions()

lib = config.llvm_lib_dir
ext = config.llvm_shlib_ext
config.substitutions.append(("%mlir_lib_dir", lib))
config.substitutions.append(("%mlir_runner_utils", os.path.join(lib, "libmlir_runner_utils" + ext)))
config.substitutions.append(("%mlir_c_runner_utils", os.path.join(lib, "libmlir_c_runner_utils" + ext)))
config.substitutions.append(("%convgrad_src_root", config.convgrad_src_root))

tool_dirs = [config.convgrad_tools_dir, config.llvm_tools_dir]
tools = [
    "convgrad-opt",
    "convgrad-run",
    ToolSubst("mlir-runner", unresolved="fatal"),
    ToolSubst("mlir-opt", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)
