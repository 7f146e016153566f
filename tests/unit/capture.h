/* capture.h — what a driver function under test writes on stderr, caught in memory (the driver
 * reports bad input with one line on stderr; the tests check the exact line). */
#ifndef LW_TEST_CAPTURE_H
#define LW_TEST_CAPTURE_H

/* Points stderr at a memory stream until capture_end(), which restores it and returns what was
 * written (malloc'd, "" when nothing). Not nestable. */
void capture_begin(void);
char *capture_end(void);

#endif
