/* The unit tests' temporary directories: a flat one, its files removed and then itself. */
#ifndef NETSOT_TEST_TMPDIR_H
#define NETSOT_TEST_TMPDIR_H

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static inline int
tmpdir_remove(const char *dir)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	return rmdir(dir);
}

#endif
