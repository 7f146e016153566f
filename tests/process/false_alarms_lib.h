/* false_alarms_lib.h — a library whose constructor takes locks before lockwatch's runtime
 * starts (it is initialised before the preloaded runtime), and releases them on request. */
#ifndef FALSE_ALARMS_LIB_H
#define FALSE_ALARMS_LIB_H

void lib_release_setup_locks(void);

#endif
