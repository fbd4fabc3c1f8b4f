# Turns migrations/NNNN_name.sql into a C++ table (see src/storage/migrations.h).
# Invoked at build time: cmake -DMIGRATIONS_DIR=... -DOUTPUT=... -P EmbedMigrations.cmake
file(GLOB files RELATIVE ${MIGRATIONS_DIR} ${MIGRATIONS_DIR}/*.sql)
list(SORT files)
set(body "")
set(expected 1)
foreach(file IN LISTS files)
  if(NOT file MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
    message(FATAL_ERROR "migration file name must be NNNN_name.sql: ${file}")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name ${CMAKE_MATCH_2})
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "migrations must be numbered 1, 2, 3... without gaps: ${file}")
  endif()
  math(EXPR expected "${expected} + 1")
  file(READ ${MIGRATIONS_DIR}/${file} sql)
  if(sql MATCHES "\\)dfp_sql\"")
    message(FATAL_ERROR "${file} contains the raw string delimiter")
  endif()
  string(APPEND body "    {${version}, \"${name}\", R\"dfp_sql(${sql})dfp_sql\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "// Generated from migrations/*.sql by cmake/EmbedMigrations.cmake. Do not edit.
#include \"storage/migrations.h\"

namespace dfp::storage {
namespace {
const Migration kMigrations[] = {
${body}};
}  // namespace

std::span<const Migration> embeddedMigrations() { return kMigrations; }
}  // namespace dfp::storage
")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
