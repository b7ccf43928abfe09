/* Start the program named by the image's boot manifest; never returns. */
#pragma once

struct boot_manifest;

__attribute__((noreturn)) void run_program(const struct boot_manifest *m);
