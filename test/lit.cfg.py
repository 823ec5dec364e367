# -*- Python -*-
# The convgrad lit suite: FileCheck tests of the dialect and passes, and
# integration tests that compile and run the generated code.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

# The sanitizer build's suite has its own name, so that one lit run can hold
# both builds (scripts/test.sh) and its results are told apart.
config.name = "CONVGRAD-ASAN" if config.convgrad_sanitizers else "CONVGRAD"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.convgrad_obj_root, "test")

llvm_config.use_default_substitutions()
# `not`, `count` and FileCheck live in the LLVM tools directory, not on PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

lib = config.llvm_lib_dir
ext = config.llvm_shlib_ext
config.substitutions.append(("%mlir_lib_dir", lib))
config.substitutions.append(("%mlir_runner_utils", os.path.join(lib, "libmlir_runner_utils" + ext)))
config.substitutions.append(("%mlir_c_runner_utils", os.path.join(lib, "libmlir_c_runner_utils" + ext)))
config.substitutions.append(("%convgrad_src_root", config.convgrad_src_root))
# OpenMP runtime for code compiled with --convgrad-cpu-pipeline="num-threads=N".
config.substitutions.append(("%libomp", os.path.join(lib, "libomp" + ext)))
config.substitutions.append(("%clang", os.path.join(config.llvm_tools_dir, "clang")))

tool_dirs = [config.convgrad_tools_dir, config.llvm_tools_dir]
tools = [
    "convgrad-opt",
    "convgrad-run",
    ToolSubst("mlir-runner", unresolved="fatal"),
    ToolSubst("mlir-opt", unresolved="fatal"),
    ToolSubst("mlir-translate", unresolved="fatal"),
    ToolSubst("llc", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Embedding convgrad: the plugins for stock mlir-opt (%convgrad_lib_dir), the
# C API test program, the LSP server, and installing + building
# examples/embed against the install (feature "embed": not in sanitizer
# builds, whose static libraries need the sanitizer runtimes; likewise
# "plugins").
config.substitutions.append(("%convgrad_obj_root", config.convgrad_obj_root))
config.substitutions.append(("%convgrad_lib_dir", config.convgrad_lib_dir))
if not any(k == "%shlibext" for k, _ in config.substitutions):
    config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%cmake_exe", '"%s"' % config.cmake_command))
embed_cmake_args = ['-G "%s"' % config.cmake_generator,
                    '-DCMAKE_CXX_COMPILER="%s"' % config.cmake_cxx_compiler,
                    "-DCMAKE_BUILD_TYPE=%s" % (config.cmake_build_type or "Release")]
if config.llvm_use_linker:
    embed_cmake_args.append("-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=%s" % config.llvm_use_linker)
config.substitutions.append(("%embed_cmake_args", " ".join(embed_cmake_args)))
if not config.convgrad_sanitizers:
    config.available_features.add("embed")
    # The stock mlir-opt has no sanitizer runtime to load sanitized plugins.
    config.available_features.add("plugins")
# Tests that run code compiled for an AVX-512 target (e.g. target-cpu=znver4,
# whatever the host) need a host that executes it.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        if any(line.startswith("flags") and " avx512f" in line
               for line in cpuinfo):
            config.available_features.add("host-avx512")
except OSError:
    pass
llvm_config.add_tool_substitutions(
    ["convgrad-capi-test", "convgrad-lsp-server"], [config.convgrad_tools_dir])

# Sanitizer builds (CONVGRAD_ENABLE_SANITIZERS): our tools are instrumented,
# libMLIR.so, libLLVM.so and the JIT-compiled kernels are not. LeakSanitizer
# reports leaks in those that are not ours; test/lsan.supp lists and
# justifies each suppression. UBSan prints a stack and stops at the first
# report (the build uses -fno-sanitize-recover=undefined).
if getattr(config, "convgrad_sanitizers", False):
    lsan_supp = os.path.join(config.convgrad_src_root, "test", "lsan.supp")
    config.environment["ASAN_OPTIONS"] = ":".join([
        "detect_leaks=1", "abort_on_error=0", "strict_string_checks=1",
        # libMLIR/libLLVM are not instrumented, but their allocators are
        # partly inlined into our instrumented code, which poisons slabs that
        # the library then writes without unpoisoning: false
        # use-after-poison reports. Manual poisoning off, real ASan checks on.
        "allow_user_poisoning=0",
        "detect_stack_use_after_return=1", "check_initialization_order=1"])
    config.environment["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % lsan_supp
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    config.available_features.add("sanitizers")

# %limit_memory_1g: `ulimit -v` of 1 GiB for the tests of bounded memory
# (huge strides, --config limits). ASan reserves terabytes of shadow address
# space at startup, so in sanitizer builds it is a no-op there (the tests'
# time limits and ASan's own allocation checks still apply).
if getattr(config, "convgrad_sanitizers", False):
    config.substitutions.append(("%limit_memory_1g", "true"))
else:
    config.substitutions.append(("%limit_memory_1g", "ulimit -v 1048576"))

# The libFuzzer targets exist only in the fuzz build (CONVGRAD_ENABLE_FUZZER,
# scripts/fuzz.sh); test/Fuzz needs the feature "fuzzer".
if getattr(config, "convgrad_fuzzer", False):
    config.available_features.add("fuzzer")
    llvm_config.add_tool_substitutions(
        ["convgrad-fuzz", "convgrad-fuzz-gen"], [config.convgrad_tools_dir])
