// tsyringe needs the Reflect metadata API loaded once, before it is imported; this
// module is the only place that does it.
import 'reflect-metadata';
