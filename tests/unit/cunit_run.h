/*
 * cunit_run.h — the tail every CUnit test binary shares: run the registered
 * suites verbosely (the summary tests/run.sh counts), clean up, and tell the
 * caller how many assertions and tests failed.
 */
#ifndef CBZ_CUNIT_RUN_H
#define CBZ_CUNIT_RUN_H

#include <CUnit/Basic.h>

static inline unsigned cbz_cunit_run(void)
{
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed;
}

#endif
