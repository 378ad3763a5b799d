// @nestjs/throttler ships only CommonJS, which require()s the ESM builds of @nestjs/common and
// @nestjs/core. When a test file's own imports reach the throttler while those two are still being
// linked, jest refuses with "Cannot require() ES Module … in a cycle". Loading them here, before
// every test file, means they are fully evaluated by the time anything require()s them.
import '@nestjs/common';
import '@nestjs/core';
