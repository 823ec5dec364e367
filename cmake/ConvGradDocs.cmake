# Markdown documentation generated from ODS (the dialect, its passes and its
# transform ops; add_mlir_doc writes them under <build>/docs/ConvGrad/).
#
#   cmake --build <build> --target convgrad-docs          -> <build>/docs/generated/*.md
#   cmake --build <build> --target convgrad-docs-update   -> also docs/generated/ in the source tree
#
# docs/generated/ in the source tree is checked in; run convgrad-docs-update
# after changing a .td file (test/Docs/generated-up-to-date.test fails until
# you do).

# The dialect page: include/convgrad/Dialect/ConvGrad/IR runs -gen-dialect-doc
# on ConvGradDialect.td, which holds no op; run it on ConvGradOps.td (which
# includes the dialect and the attributes) to document the ops too. It becomes
# docs/generated/ConvGradDialect.md.
add_mlir_doc(${PROJECT_SOURCE_DIR}/include/convgrad/Dialect/ConvGrad/IR/ConvGradOps
  ConvGradDialectReference ConvGrad/ -gen-dialect-doc -dialect=convgrad)

set(CONVGRAD_GENERATED_DOCS_DIR "${PROJECT_BINARY_DIR}/docs/generated")
# <DocGen target>:<generated .md name>:<name under docs/generated>
set(CONVGRAD_DOCS
  ConvGradDialectReference:ConvGradDialect
  ConvGradTransformsPasses:ConvGradTransformsPasses
  ConvGradCPUCodegenPasses:ConvGradCPUCodegenPasses
  ConvGradConversionPasses:ConvGradConversionPasses
  ConvGradTransformOps:ConvGradTransformOps)

set(_convgrad_doc_targets)
set(_convgrad_doc_copy)
set(_convgrad_doc_update)
foreach(_entry IN LISTS CONVGRAD_DOCS)
  string(REPLACE ":" ";" _entry "${_entry}")
  list(GET _entry 0 _gen)
  list(GET _entry 1 _out)
  if(TARGET ${_gen}DocGen)
    list(APPEND _convgrad_doc_targets ${_gen}DocGen)
    list(APPEND _convgrad_doc_copy COMMAND ${CMAKE_COMMAND} -E copy_if_different
      "${MLIR_BINARY_DIR}/docs/ConvGrad/${_gen}.md" "${CONVGRAD_GENERATED_DOCS_DIR}/${_out}.md")
    list(APPEND _convgrad_doc_update COMMAND ${CMAKE_COMMAND} -E copy_if_different
      "${CONVGRAD_GENERATED_DOCS_DIR}/${_out}.md" "${PROJECT_SOURCE_DIR}/docs/generated/${_out}.md")
  endif()
endforeach()

# Part of the default build so that test/Docs can check that the checked-in
# copy is current.
add_custom_target(convgrad-docs ALL
  COMMAND ${CMAKE_COMMAND} -E make_directory "${CONVGRAD_GENERATED_DOCS_DIR}"
  ${_convgrad_doc_copy}
  DEPENDS ${_convgrad_doc_targets}
  COMMENT "Copying the ODS documentation to ${CONVGRAD_GENERATED_DOCS_DIR}"
  VERBATIM)

add_custom_target(convgrad-docs-update
  COMMAND ${CMAKE_COMMAND} -E make_directory "${PROJECT_SOURCE_DIR}/docs/generated"
  ${_convgrad_doc_update}
  DEPENDS convgrad-docs
  COMMENT "Updating docs/generated in the source tree"
  VERBATIM)
