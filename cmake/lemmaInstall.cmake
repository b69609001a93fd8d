# Install rules and the CMake package: find_package(lemma CONFIG) after `cmake --install`.
include(CMakePackageConfigHelpers)

set(LEMMA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/lemma")

install(TARGETS lemma lemma_testing lemma_math lemma_math_runs EXPORT lemmaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/lemma" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY "${PROJECT_BINARY_DIR}/generated/include/lemma" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT lemmaTargets NAMESPACE lemma:: DESTINATION ${LEMMA_INSTALL_CMAKEDIR})
# Build-tree export: lets dependents use this build without installing it.
export(EXPORT lemmaTargets NAMESPACE lemma:: FILE "${PROJECT_BINARY_DIR}/lemmaTargets.cmake")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/lemmaConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/lemmaConfig.cmake"
                              INSTALL_DESTINATION ${LEMMA_INSTALL_CMAKEDIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/lemmaConfigVersion.cmake"
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/lemmaConfig.cmake" "${PROJECT_BINARY_DIR}/lemmaConfigVersion.cmake"
        DESTINATION ${LEMMA_INSTALL_CMAKEDIR})

if(LEMMA_BUILD_TOOLS AND TARGET lemma-mock-server)
  install(TARGETS lemma-mock-server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
if(LEMMA_BUILD_TOOLS AND TARGET lemma-cli)
  install(TARGETS lemma-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
