/* The unit tests' random numbers: xorshift64, seeded by each test file, so a failure replays. */
#ifndef NETSOT_TEST_RNG_H
#define NETSOT_TEST_RNG_H

#include <stdint.h>

static uint64_t testrng_state = 0x9e3779b97f4a7c15ULL;

/* A number below n. */
static inline unsigned
rnd(unsigned n)
{
	testrng_state ^= testrng_state << 13;
	testrng_state ^= testrng_state >> 7;
	testrng_state ^= testrng_state << 17;
	return (unsigned)(testrng_state % n);
}

#endif
