import Tensor
import CursesBackend
print("siamon 0.1.0  blas core: \(Blas.coreName)  \(CursesInfo.version)")
