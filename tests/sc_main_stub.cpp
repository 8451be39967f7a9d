// Boost.Test provides main(); libsystemc.so still references sc_main, which test simulations never call
// (each one elaborates and runs inside run_isolated()).
extern "C" int sc_main(int, char**) { return 0; }
