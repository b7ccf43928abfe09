/* The names uname reports, set by sethostname/setdomainname (sys_system.c). */
#pragma once
#define UTS_NAME_LEN 64   /* __NEW_UTS_LEN */
/* uname's sysname and release (/proc/sys/kernel/ostype, osrelease): the Linux ABI level we implement. */
#define UTS_SYSNAME "Linux"
#define UTS_RELEASE "6.1.0-unibuild"
/* uname's version (/proc/sys/kernel/version): the build number and configuration, as Linux's
 * "#1 SMP PREEMPT_DYNAMIC ..." (the kernel.h KERNEL_VERSION macro gives the unibuild release). */
#define UTS_VERSION(unibuild_release) "#1 SMP unibuild " unibuild_release
const char *uts_hostname(void);
const char *uts_domainname(void);
