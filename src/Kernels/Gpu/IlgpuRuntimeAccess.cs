using System.Runtime.CompilerServices;

// ILGPU's CPU accelerator emits its kernel wrappers into a dynamic assembly named ILGPURuntime; they must see the
// internal kernel classes and op structs.
[assembly: InternalsVisibleTo("ILGPURuntime")]
