# Install rules and the CMake package of convgrad (included at the end of the
# top-level CMakeLists.txt, after every target exists).
#
#   cmake --install <build> --prefix <prefix>
#
# installs headers (with the generated .inc), the .td files, the static
# libraries, the plugins, the tools and <prefix>/lib/cmake/ConvGrad with
# ConvGradConfig.cmake, ConvGradConfigVersion.cmake and ConvGradTargets.cmake
# (imported targets ConvGrad::<library>). A consumer does
#
#   find_package(ConvGrad CONFIG REQUIRED)
#   target_link_libraries(my-tool PRIVATE ConvGrad::ConvGradToLinalg)
#
# and gets MLIR (find_dependency), libMLIR.so and the include directories of
# convgrad, MLIR and LLVM through the targets.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(CONVGRAD_INSTALL_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ConvGrad")

# Every library made by convgrad_add_library, plus the MLIR-free reference.
get_property(_convgrad_export_libs GLOBAL PROPERTY CONVGRAD_LIBS)
if(TARGET ConvGradReference)
  list(APPEND _convgrad_export_libs ConvGradReference)
endif()
list(REMOVE_DUPLICATES _convgrad_export_libs)

foreach(_lib IN LISTS _convgrad_export_libs)
  target_include_directories(${_lib} INTERFACE
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endforeach()

install(TARGETS ${_convgrad_export_libs}
  EXPORT ConvGradTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT convgrad
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT convgrad
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT convgrad)

install(EXPORT ConvGradTargets
  NAMESPACE ConvGrad::
  FILE ConvGradTargets.cmake
  DESTINATION "${CONVGRAD_INSTALL_PACKAGE_DIR}"
  COMPONENT convgrad)

# Headers: hand-written .h/.td from the source tree, generated .inc/.h from the
# build tree (tablegen output).
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT convgrad
  FILES_MATCHING PATTERN "*.h" PATTERN "*.td" PATTERN "*.def"
  PATTERN "CMakeLists.txt" EXCLUDE)
install(DIRECTORY "${PROJECT_BINARY_DIR}/include/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT convgrad
  FILES_MATCHING PATTERN "*.inc" PATTERN "*.h"
  PATTERN "CMakeFiles" EXCLUDE)

# Executables and plugins link libMLIR.so from the LLVM installation, which is
# not on the loader's default path on Debian: keep it in the install RPATH.
set(_convgrad_install_rpath "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR}" "${LLVM_LIBRARY_DIR}")
set(_convgrad_tools)
foreach(_tool convgrad-opt convgrad-run convgrad-lsp-server)
  if(TARGET ${_tool})
    list(APPEND _convgrad_tools ${_tool})
  endif()
endforeach()
set(_convgrad_plugins)
foreach(_plugin ConvGradDialectPlugin ConvGradPassPlugin)
  if(TARGET ${_plugin})
    list(APPEND _convgrad_plugins ${_plugin})
  endif()
endforeach()
foreach(_t IN LISTS _convgrad_tools _convgrad_plugins)
  set_target_properties(${_t} PROPERTIES INSTALL_RPATH "${_convgrad_install_rpath}")
endforeach()
if(_convgrad_tools)
  install(TARGETS ${_convgrad_tools}
    RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT convgrad)
endif()
if(_convgrad_plugins)
  install(TARGETS ${_convgrad_plugins}
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT convgrad)
endif()

# The package: config + version file.
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/ConvGradConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/ConvGradConfig.cmake"
  INSTALL_DESTINATION "${CONVGRAD_INSTALL_PACKAGE_DIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/cmake/ConvGradConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/cmake/ConvGradConfig.cmake"
  "${PROJECT_BINARY_DIR}/cmake/ConvGradConfigVersion.cmake"
  DESTINATION "${CONVGRAD_INSTALL_PACKAGE_DIR}"
  COMPONENT convgrad)
