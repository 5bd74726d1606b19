// limits.js: the limits the core enforces, for the front end to say them before the core does.
// stub: replaced by the core's limits at merge
export const MAX_URLS = 1000;
export const MAX_URL_BYTES = 2048;
export const MAX_SHOT_SIDE = 16384;
