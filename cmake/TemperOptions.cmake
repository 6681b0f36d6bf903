# Compiler warnings and sanitizers, applied per target through temper_configure_target().
add_library(temper_warnings INTERFACE)
target_compile_options(temper_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
                       -Wnon-virtual-dtor -Wno-unused-parameter)
# In a unity build every source is an included file, and GCC warns about a class of an anonymous
# namespace used by a class "in a header" (every gtest fixture of a test file): not a problem here.
if(TEMPER_UNITY_BUILD)
  target_compile_options(temper_warnings INTERFACE -Wno-subobject-linkage)
endif()
if(TEMPER_WARNINGS_AS_ERRORS)
  target_compile_options(temper_warnings INTERFACE -Werror)
endif()

add_library(temper_sanitizers INTERFACE)
if(TEMPER_SANITIZE)
  target_compile_options(temper_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(temper_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

# Every Temper target: warnings, sanitizers, and the source root on the include path so headers
# are included as "core/common/error.h".
function(temper_configure_target target)
  target_link_libraries(${target} PRIVATE temper_warnings temper_sanitizers)
  target_include_directories(${target} PUBLIC "${PROJECT_SOURCE_DIR}")
endfunction()

# Torch targets: precompiled core/torch_api.h (about 30 s per translation unit otherwise).
# LibTorch headers are noisy under our warnings; they come in as SYSTEM includes.
function(temper_use_torch target)
  target_link_libraries(${target} PUBLIC ${TORCH_LIBRARIES})
  target_include_directories(${target} SYSTEM PUBLIC ${TORCH_INCLUDE_DIRS})
  if(TEMPER_PCH)
    if(TARGET temper_torch_pch)
      target_precompile_headers(${target} REUSE_FROM temper_torch_pch)
    else()
      target_precompile_headers(${target} PRIVATE "${PROJECT_SOURCE_DIR}/core/torch_api.h")
    endif()
  endif()
endfunction()

# Sources of a torch target that include no LibTorch header: loading the precompiled header would
# cost each of them about 6 s for nothing (docs/build.md). Call from the folder that lists them.
function(temper_skip_torch_pch)
  set_source_files_properties(${ARGN} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
endfunction()
