package org.batchq.runtime;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns the trees of a Q-function into JVM bytecode, static methods of a few consecutive trees each whose nested
 * comparisons hold the trees' features, thresholds and leaf values as constants, defined as hidden classes at load
 * time: the JIT compiles each tree into straight-line branches with no node arrays to load and a branch of its own
 * per node, about twice as fast as walking {@link JsonTrees}'s arrays (docs/BENCHMARKS.md). Only JDK classes are
 * used: no compiler, no bytecode library.
 *
 * <p>The arithmetic is {@link JsonTrees}'s: each output starts at its booster's base score and adds the trees'
 * leaves in float32 in file order, a feature goes left when below the threshold and a NaN the node's default way,
 * so the values are the same bits. A tree reads {@code x[at + f]} for an observation feature; in the single form
 * the one-hot action columns (features {@code d..}) are known while generating, so the part of a tree above its
 * first action split is shared by all actions and the part below is generated once per action with the action's
 * splits decided, as {@link JsonTrees#predictActions} walks it.
 */
final class TreeCompiler {
  /** Adds its trees' leaf values for the row at {@code x[at..]} into {@code out[o + a]} for each action a. */
  interface Block {
    void add(float[] x, int at, float[] out, int o);
  }

  /**
   * The JIT leaves a method of more bytes than this interpreted (HotSpot's HugeMethodLimit): a tree whose code
   * would be larger (a full tree deeper than about 8) is not compiled, and the Q-function walks its arrays instead.
   */
  static final int MAX_TREE_BYTES = 8000;

  /**
   * Consecutive trees share one method up to this many bytes: a tree of depth 6 is about 1.5 KB of bytecode, far
   * above what the JIT inlines, so one method per tree would cost a call per tree per row (docs/BENCHMARKS.md).
   */
  static final int METHOD_BYTES = 6000;

  private static final int TREES_PER_CLASS = 400; // keeps each class's dispatch method under MAX_TREE_BYTES
  private static final int MAX_CONSTANTS = 50_000; // of the 65,535 a class's constant pool may hold
  private static final String CLASS = "org/batchq/runtime/GeneratedTrees";
  private static final String TREE_DESCRIPTOR = "([FI[FI)V";

  private TreeCompiler() {}

  /**
   * The blocks that together add every tree of {@code boosters} ({@code form}, observations of width {@code d},
   * {@code actions} actions), in the order the blocks are to be called; null when a tree is too large to compile
   * or the JVM refuses to define the classes, in which case the caller walks the arrays.
   */
  static List<Block> compile(TreeForm form, JsonTrees[] boosters, int d, int actions) {
    List<Block> blocks = new ArrayList<>();
    ClassFile file = new ClassFile();
    try {
      for (int b = 0; b < boosters.length; b++) {
        JsonTrees trees = boosters[b];
        if (trees.groups() != 1) {
          return null;
        }
        for (int root : trees.roots()) {
          if (file.trees() == TREES_PER_CLASS || file.constants() > MAX_CONSTANTS) {
            blocks.add(file.define());
            file = new ClassFile();
          }
          Code.Method tree = form == TreeForm.SINGLE ? new TreeCode(file, trees, d, actions, -1).of(root)
              : new TreeCode(file, trees, Integer.MAX_VALUE, actions, b).of(root);
          if (tree == null) {
            return null;
          }
          file.addTree(tree);
        }
      }
      if (file.trees() > 0) {
        blocks.add(file.define());
      }
      return blocks;
    } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
      return null; // a JVM that will not define hidden classes still gets every value, from the arrays
    }
  }

  /**
   * One tree's method body: the nodes in depth-first order, each split a compare and a jump to its right child, each
   * path's end a jump to the body's last instruction, a return, so that bodies can be joined
   * ({@link Code.Method#then}).
   */
  private static final class TreeCode {
    private final ClassFile file;
    private final JsonTrees trees;
    private final int d;
    private final int actions;
    private final int onlyOutput; // the multiple form's booster; -1 in the single form, whose leaves reach every action
    private final Code code = new Code();
    private final Code.Label exit = code.label();

    TreeCode(ClassFile file, JsonTrees trees, int d, int actions, int onlyOutput) {
      this.file = file;
      this.trees = trees;
      this.d = d;
      this.actions = actions;
      this.onlyOutput = onlyOutput;
    }

    /** The method's code for the tree at {@code root}, or null when it would exceed {@link #MAX_TREE_BYTES}. */
    Code.Method of(int root) {
      shared(root);
      code.place(exit);
      code.op(RETURN);
      return code.size() > MAX_TREE_BYTES ? null : code.finish();
    }

    /** Above every action split: the path reads the observation only, and a leaf adds to each action's output. */
    private void shared(int n) {
      int left = trees.left()[n];
      if (left < 0) {
        if (onlyOutput >= 0) {
          addLeaf(n, onlyOutput);
        } else {
          for (int a = 0; a < actions; a++) {
            addLeaf(n, a);
          }
        }
        code.jump(GOTO, exit);
      } else if (trees.feature()[n] >= d) {
        for (int a = 0; a < actions; a++) {
          Code.Label next = code.label();
          perAction(n, a, next);
          code.place(next);
        }
        code.jump(GOTO, exit);
      } else {
        Code.Label right = split(n);
        shared(left);
        code.place(right);
        shared(left + 1);
      }
    }

    /** Below the first action split, for action {@code a}: its one-hot columns are constants, so those splits go. */
    private void perAction(int n, int a, Code.Label next) {
      int left = trees.left()[n];
      if (left < 0) {
        addLeaf(n, a);
        code.jump(GOTO, next);
      } else if (trees.feature()[n] >= d) {
        perAction(trees.next(n, left, trees.feature()[n] - d == a ? 1f : 0f), a, next);
      } else {
        Code.Label right = split(n);
        perAction(left, a, next);
        code.place(right);
        perAction(left + 1, a, next);
      }
    }

    /**
     * Compares {@code x[at + f]} with node {@code n}'s threshold and jumps to the returned label (to be placed at
     * the right child) unless the row goes left. fcmpg gives 1 for NaN, so NaN goes right; fcmpl gives -1, so left.
     */
    private Code.Label split(int n) {
      code.op(ALOAD_0).op(ILOAD_1);
      offset(trees.feature()[n]);
      code.op(FALOAD).constant(file.floatConstant(trees.value()[n]));
      code.op(trees.defaultLeft()[n] ? FCMPL : FCMPG);
      Code.Label right = code.label();
      code.jump(IFGE, right);
      return right;
    }

    /** {@code out[o + a] += leaf value}, in float32 as XGBoost adds it. */
    private void addLeaf(int n, int a) {
      code.op(ALOAD_2).op(ILOAD_3);
      offset(a);
      code.op(DUP2).op(FALOAD).constant(file.floatConstant(trees.value()[n])).op(FADD).op(FASTORE);
    }

    /** Adds {@code k} to the index on the stack. */
    private void offset(int k) {
      if (k != 0) {
        code.pushInt(k, file);
        code.op(IADD);
      }
    }
  }

  /** A method body being written: bytes, and forward jumps patched once their labels are placed. */
  private static final class Code {
    /** A finished body and the offsets jumps land on, where the verifier wants a stack map frame. */
    record Method(byte[] code, int[] targets) {
      /**
       * This body, then {@code next}: this body's final return (where every one of its paths jumps) becomes the
       * first instruction of {@code next}, whose jumps are relative and so stay as they are.
       */
      Method then(Method next) {
        int at = code.length - 1;
        byte[] b = java.util.Arrays.copyOf(code, at + next.code.length);
        System.arraycopy(next.code, 0, b, at, next.code.length);
        int[] t = java.util.Arrays.copyOf(targets, targets.length + next.targets.length);
        for (int i = 0; i < next.targets.length; i++) {
          t[targets.length + i] = next.targets[i] + at;
        }
        return new Method(b, t);
      }
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Label> labels = new ArrayList<>();

    static final class Label {
      private int at = -1;
      private final List<Integer> jumps = new ArrayList<>(); // offsets of the jump instructions to this label
    }

    Label label() {
      Label l = new Label();
      labels.add(l);
      return l;
    }

    Code op(int opcode) {
      out.write(opcode);
      return this;
    }

    Code u2(int v) {
      out.write(v >>> 8);
      out.write(v);
      return this;
    }

    /** A jump to a label placed later (every jump of a tree goes forward). */
    void jump(int opcode, Label to) {
      to.jumps.add(out.size());
      op(opcode).u2(0);
    }

    void place(Label l) {
      l.at = out.size();
    }

    Code constant(int index) {
      return index < 256 ? op(LDC).op(index) : op(LDC_W).u2(index);
    }

    void pushInt(int k, ClassFile file) {
      if (k >= -1 && k <= 5) {
        op(ICONST_0 + k);
      } else if (k >= Byte.MIN_VALUE && k <= Byte.MAX_VALUE) {
        op(BIPUSH).op(k & 0xff);
      } else if (k >= Short.MIN_VALUE && k <= Short.MAX_VALUE) {
        op(SIPUSH).u2(k & 0xffff);
      } else {
        constant(file.intConstant(k));
      }
    }

    int size() {
      return out.size();
    }

    /** The bytes with every jump's offset filled in (called only on code within a method's 32 KiB jump range). */
    Method finish() {
      byte[] b = out.toByteArray();
      TreeSet<Integer> targets = new TreeSet<>();
      for (Label l : labels) {
        for (int jump : l.jumps) {
          int delta = l.at - jump;
          b[jump + 1] = (byte) (delta >>> 8);
          b[jump + 2] = (byte) delta;
        }
        if (!l.jumps.isEmpty()) {
          targets.add(l.at);
        }
      }
      return new Method(b, targets.stream().mapToInt(Integer::intValue).toArray());
    }
  }

  /**
   * One hidden class being assembled: its constant pool, and its methods {@code t0, t1, ...}, each a run of
   * consecutive trees up to {@link #METHOD_BYTES}, which its {@link Block#add} calls in order.
   */
  private static final class ClassFile {
    private final ByteArrayOutputStream pool = new ByteArrayOutputStream();
    private final DataOutputStream poolOut = new DataOutputStream(pool);
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<Long, Integer> numbers = new HashMap<>();
    private final List<Code.Method> methods = new ArrayList<>();
    private Code.Method open; // the method trees are being joined into
    private int trees;
    private int count = 1;

    int trees() {
      return trees;
    }

    int constants() {
      return count;
    }

    void addTree(Code.Method tree) {
      trees++;
      if (open != null && open.code().length - 1 + tree.code().length <= METHOD_BYTES) {
        open = open.then(tree);
        return;
      }
      if (open != null) {
        methods.add(open);
      }
      open = tree;
    }

    int floatConstant(float v) {
      return number(4, Float.floatToRawIntBits(v));
    }

    int intConstant(int v) {
      return number(3, v);
    }

    /** A CONSTANT_Float (tag 4) or CONSTANT_Integer (tag 3): the commonest entries, so keyed without strings. */
    private int number(int tag, int bits) {
      long key = (long) tag << 32 | (bits & 0xffffffffL);
      Integer i = numbers.get(key);
      if (i != null) {
        return i;
      }
      try {
        poolOut.writeByte(tag);
        poolOut.writeInt(bits);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      numbers.put(key, count);
      return count++;
    }

    int utf8(String s) {
      return entry("U" + s, o -> {
        o.writeByte(1);
        o.writeUTF(s);
      });
    }

    int classRef(String internalName) {
      int name = utf8(internalName);
      return entry("C" + internalName, o -> {
        o.writeByte(7);
        o.writeShort(name);
      });
    }

    int methodRef(String owner, String name, String descriptor) {
      int cls = classRef(owner);
      int n = utf8(name);
      int t = utf8(descriptor);
      int nameAndType = entry("N" + name + descriptor, o -> {
        o.writeByte(12);
        o.writeShort(n);
        o.writeShort(t);
      });
      return entry("M" + owner + "." + name + descriptor, o -> {
        o.writeByte(10);
        o.writeShort(cls);
        o.writeShort(nameAndType);
      });
    }

    private interface Writer {
      void write(DataOutputStream o) throws IOException;
    }

    private int entry(String key, Writer w) {
      Integer i = index.get(key);
      if (i != null) {
        return i;
      }
      try {
        w.write(poolOut);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      index.put(key, count);
      return count++;
    }

    /** Defines the class as a hidden class of this package and returns an instance of it. */
    Block define() throws ReflectiveOperationException {
      if (open != null) {
        methods.add(open);
        open = null;
      }
      ByteArrayOutputStream code = new ByteArrayOutputStream();
      DataOutputStream m = new DataOutputStream(code);
      try {
        Code init = new Code().op(ALOAD_0);
        init.op(INVOKESPECIAL).u2(methodRef("java/lang/Object", "<init>", "()V")).op(RETURN);
        method(m, ACC_PUBLIC, "<init>", "()V", 1, 1, init.finish());
        Code add = new Code();
        for (int t = 0; t < methods.size(); t++) {
          add.op(ALOAD_1).op(ILOAD_2).op(ALOAD_3).op(ILOAD).op(4)
              .op(INVOKESTATIC).u2(methodRef(CLASS, "t" + t, TREE_DESCRIPTOR));
        }
        method(m, ACC_PUBLIC, "add", TREE_DESCRIPTOR, 4, 5, add.op(RETURN).finish());
        for (int t = 0; t < methods.size(); t++) {
          method(m, ACC_PRIVATE | ACC_STATIC, "t" + t, TREE_DESCRIPTOR, 4, 4, methods.get(t));
        }
        int self = classRef(CLASS);
        int object = classRef("java/lang/Object");
        int block = classRef(Block.class.getName().replace('.', '/'));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream c = new DataOutputStream(bytes);
        c.writeInt(0xCAFEBABE);
        c.writeShort(0);
        c.writeShort(61); // Java 17
        c.writeShort(count);
        pool.writeTo(c);
        c.writeShort(ACC_FINAL | ACC_SUPER);
        c.writeShort(self);
        c.writeShort(object);
        c.writeShort(1);
        c.writeShort(block);
        c.writeShort(0); // fields
        c.writeShort(methods.size() + 2);
        code.writeTo(c);
        c.writeShort(0); // attributes
        MethodHandles.Lookup hidden = MethodHandles.lookup().defineHiddenClass(bytes.toByteArray(), true);
        try {
          return (Block) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
          throw e;
        } catch (Throwable e) {
          throw new IllegalStateException(e);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** A method with a Code attribute, and a stack map frame at each jump target: all of them the entry frame. */
    private void method(DataOutputStream m, int access, String name, String descriptor, int maxStack, int maxLocals,
        Code.Method body) throws IOException {
      m.writeShort(access);
      m.writeShort(utf8(name));
      m.writeShort(utf8(descriptor));
      m.writeShort(1);
      ByteArrayOutputStream frames = new ByteArrayOutputStream();
      DataOutputStream f = new DataOutputStream(frames);
      int previous = -1;
      for (int target : body.targets()) {
        int delta = target - previous - 1;
        if (delta < 64) {
          f.writeByte(delta); // same_frame
        } else {
          f.writeByte(251); // same_frame_extended
          f.writeShort(delta);
        }
        previous = target;
      }
      int codeName = utf8("Code");
      int mapName = body.targets().length > 0 ? utf8("StackMapTable") : 0;
      int mapLength = body.targets().length > 0 ? 2 + 4 + 2 + frames.size() : 0;
      m.writeShort(codeName);
      m.writeInt(2 + 2 + 4 + body.code().length + 2 + 2 + mapLength);
      m.writeShort(maxStack);
      m.writeShort(maxLocals);
      m.writeInt(body.code().length);
      m.write(body.code());
      m.writeShort(0); // exception table
      if (body.targets().length == 0) {
        m.writeShort(0);
        return;
      }
      m.writeShort(1);
      m.writeShort(mapName);
      m.writeInt(2 + frames.size());
      m.writeShort(body.targets().length);
      frames.writeTo(m);
    }
  }

  private static final int ACC_PUBLIC = 0x0001;
  private static final int ACC_PRIVATE = 0x0002;
  private static final int ACC_STATIC = 0x0008;
  private static final int ACC_FINAL = 0x0010;
  private static final int ACC_SUPER = 0x0020;

  private static final int ICONST_0 = 0x03;
  private static final int BIPUSH = 0x10;
  private static final int SIPUSH = 0x11;
  private static final int LDC = 0x12;
  private static final int LDC_W = 0x13;
  private static final int ILOAD = 0x15;
  private static final int ALOAD_0 = 0x2a;
  private static final int ALOAD_1 = 0x2b;
  private static final int ALOAD_2 = 0x2c;
  private static final int ALOAD_3 = 0x2d;
  private static final int ILOAD_1 = 0x1b;
  private static final int ILOAD_2 = 0x1c;
  private static final int ILOAD_3 = 0x1d;
  private static final int FALOAD = 0x30;
  private static final int FASTORE = 0x51;
  private static final int DUP2 = 0x5c;
  private static final int IADD = 0x60;
  private static final int FADD = 0x62;
  private static final int FCMPL = 0x95;
  private static final int FCMPG = 0x96;
  private static final int IFGE = 0x9c;
  private static final int GOTO = 0xa7;
  private static final int RETURN = 0xb1;
  private static final int INVOKESPECIAL = 0xb7;
  private static final int INVOKESTATIC = 0xb8;
}
