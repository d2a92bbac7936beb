#ifndef AS3_EVENTS_LISTENER_H_
#define AS3_EVENTS_LISTENER_H_

#include <cstring>
#include <functional>
#include <memory>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "as3/Export.h"
#include "as3/events/Event.h"

namespace as3::events {

namespace detail {

/// throwCoercion throws errors::TypeError #1034, "Type Coercion failed: cannot convert
/// flash.events::Event@1f2e3d to flash.events.ProgressEvent."
[[noreturn]] AS3NET_EXPORT void throwCoercion(const Event& from, const std::type_info& to);
/// throwNullListener throws errors::TypeError #2007, "Parameter listener must be non-null."
[[noreturn]] AS3NET_EXPORT void throwNullListener();

// eventAs is AS3's coercion of the argument to a typed listener's parameter type.
template <class E>
E& eventAs(Event& event) {
  if constexpr (std::is_same_v<E, Event>) {
    return event;
  } else {
    if (E* typed = dynamic_cast<E*>(&event)) return *typed;
    throwCoercion(event, typeid(E));
  }
}

template <class E>
inline constexpr bool kIsEvent = std::is_base_of_v<Event, E> && !std::is_const_v<E>;

// ParameterOf finds `E` in a callable's `operator()(E&)`, for lambdas typed on a subclass.
template <class M>
struct ParameterOf {
  using type = void;
};
template <class C, class R, class A>
struct ParameterOf<R (C::*)(A)> {
  using type = A;
};
template <class C, class R, class A>
struct ParameterOf<R (C::*)(A) const> {
  using type = A;
};
template <class C, class R, class A>
struct ParameterOf<R (C::*)(A) noexcept> {
  using type = A;
};
template <class C, class R, class A>
struct ParameterOf<R (C::*)(A) const noexcept> {
  using type = A;
};

template <class F, class = void>
struct CallableEvent {
  using type = void;
};
template <class F>
struct CallableEvent<F, std::void_t<decltype(&F::operator())>> {
  using Parameter = typename ParameterOf<decltype(&F::operator())>::type;
  using type = std::conditional_t<std::is_lvalue_reference_v<Parameter>,
                                  std::remove_reference_t<Parameter>, void>;
};

}  // namespace detail

/// Listener is a function registered with EventDispatcher::addEventListener(), standing for the
/// AS3 Function object: a callable, the listener's identity (which registrations compare, as AS3
/// compares Function objects), and its lifetime (what a strong registration keeps alive and a
/// weak one watches; null means it never dies). It converts implicitly from:
///
/// - a free function `void f(Event&)` or `void f(ProgressEvent&)`: the identity is the function,
///   so passing `f` again to removeEventListener() removes it; it never dies;
/// - any other callable, such as a lambda: each conversion is a new identity, so keep the
///   Listener to remove it later, as AS3 needs the same Function object:
///   `Listener l = [&](Event&) {...}; d.addEventListener(t, l); d.removeEventListener(t, l);`.
///   Its lifetime is its own closure: a weak registration stops firing once every copy of the
///   Listener is gone (a temporary one never fires, as an AS3 closure may be collected at once).
///
/// listener() makes the others: a member function with its object. A listener typed on a
/// subclass (`void onData(ProgressEvent&)`, `[](ProgressEvent&) {}`) throws errors::TypeError
/// #1034 when called with an event of another class, as AS3 does. Copies are cheap and share
/// the callable. An empty callable (a null function pointer, an empty std::function) throws
/// errors::TypeError #2007, as AS3's null listener.
class AS3NET_EXPORT Listener {
 public:
  /// Function is the type of the callable a dispatch calls.
  using Function = std::function<void(Event&)>;

  /// Identity is what registrations compare; two Listeners are the same listener when their
  /// identities are equal.
  class Identity {
   public:
    /// Identities are equal when they are of the same kind, with the same closure or object,
    /// and the same function or member function.
    ///@{
    bool operator==(const Identity& other) const noexcept {
      return kind_ == other.kind_ && object_ == other.object_ &&
             std::memcmp(code_, other.code_, sizeof code_) == 0;
    }
    bool operator!=(const Identity& other) const noexcept { return !(*this == other); }
    ///@}

   private:
    friend class Listener;
    enum class Kind : unsigned char { kFunction, kCallable, kMember };
#if defined(_MSC_VER)
    static constexpr std::size_t kCodeSize = 4 * sizeof(void*);  // MSVC's widest member pointer
#else
    static constexpr std::size_t kCodeSize = 2 * sizeof(void*);  // Itanium ABI: always two words
#endif

    Identity(Kind kind, const void* object) noexcept : kind_(kind), object_(object) {}
    template <class Code>
    static Identity of(Kind kind, const void* object, Code code) noexcept {
      static_assert(sizeof(Code) <= kCodeSize, "pointer to member too large");
      Identity id(kind, object);
      std::memcpy(id.code_, &code, sizeof code);
      return id;
    }

    Kind kind_;
    const void* object_;               // the callable's closure, or the member's object
    unsigned char code_[kCodeSize]{};  // the function or member function pointer, zero-padded
  };

  /// Creates the listener of a free function, whose identity is the function and which never
  /// dies. Throws errors::TypeError #2007 when `free` is null.
  template <class E, std::enable_if_t<detail::kIsEvent<E>, int> = 0>
  Listener(void (*free)(E&))  // NOLINT(google-explicit-constructor): as AS3 passes f
      : identity_(Identity::of(Identity::Kind::kFunction, nullptr, free)) {
    if (free == nullptr) detail::throwNullListener();
    if constexpr (std::is_same_v<E, Event>) {
      fn_ = std::make_shared<Function>(free);
    } else {
      fn_ = std::make_shared<Function>([free](Event& event) { free(detail::eventAs<E>(event)); });
    }
  }

  /// Creates the listener of a callable (a lambda, a std::function), copied or moved into a new
  /// closure that is both its identity and its lifetime. Throws errors::TypeError #2007 when
  /// `callable` is empty.
  template <class F, class D = std::decay_t<F>,
            std::enable_if_t<!std::is_same_v<D, Listener> &&
                                 !std::is_function_v<std::remove_pointer_t<D>> &&
                                 (std::is_invocable_v<D&, Event&> ||
                                  detail::kIsEvent<typename detail::CallableEvent<D>::type>),
                             int> = 0>
  Listener(F&& callable)  // NOLINT(google-explicit-constructor): as AS3 passes a closure
      : fn_(makeFunction(std::forward<F>(callable))),
        lifetime_(fn_),
        identity_(Identity::Kind::kCallable, fn_.get()) {
    if (!*fn_) detail::throwNullListener();
  }

  /// Calls the listener, as a dispatch does.
  void operator()(Event& event) const {
    (*fn_)(event);
  }

  /// function is the callable a dispatch calls; never null.
  const std::shared_ptr<const Function>& function() const noexcept {
    return fn_;
  }
  /// lifetime is what a strong registration keeps alive and a weak one watches; null: immortal.
  const std::shared_ptr<const void>& lifetime() const noexcept {
    return lifetime_;
  }
  /// identity is what addEventListener() and removeEventListener() compare.
  const Identity& identity() const noexcept {
    return identity_;
  }

  /// sameAs compares identities: true for copies, for the same free function, and for the same
  /// member function of the same object however often listener() made them.
  bool sameAs(const Listener& other) const noexcept {
    return identity_ == other.identity_;
  }

  template <class T, class E, class U>
  friend Listener listener(U* object, void (T::*method)(E&));
  template <class T, class E, class U>
  friend Listener listener(U* object, void (T::*method)(E&) const);
  template <class T, class E, class U>
  friend Listener listener(std::shared_ptr<U> object, void (T::*method)(E&));
  template <class T, class E, class U>
  friend Listener listener(std::shared_ptr<U> object, void (T::*method)(E&) const);

 private:
  Listener(std::shared_ptr<const Function> fn, std::shared_ptr<const void> lifetime,
           Identity identity) noexcept
      : fn_(std::move(fn)), lifetime_(std::move(lifetime)), identity_(identity) {}

  template <class F>
  static std::shared_ptr<const Function> makeFunction(F&& callable) {
    using D = std::decay_t<F>;
    if constexpr (std::is_invocable_v<D&, Event&>) {
      return std::make_shared<Function>(std::forward<F>(callable));
    } else {
      using E = typename detail::CallableEvent<D>::type;
      // The wrapper below is never empty, so an empty std::function is caught here.
      if constexpr (std::is_constructible_v<bool, const D&>) {
        if (!static_cast<bool>(callable)) detail::throwNullListener();
      }
      return std::make_shared<Function>([f = D(std::forward<F>(callable))](Event& event) mutable {
        f(detail::eventAs<E>(event));
      });
    }
  }

  template <class T, class E, class M, class U>
  static Listener member(U* object, M method) {
    T* self = object;  // `object` may be a derived class; the identity uses the method's class
    if (self == nullptr || method == nullptr) detail::throwNullListener();
    return Listener(std::make_shared<Function>([self, method](Event& event) {
                      (self->*method)(detail::eventAs<E>(event));
                    }),
                    nullptr,
                    Identity::of(Identity::Kind::kMember, static_cast<const void*>(self), method));
  }

  template <class T, class E, class M, class U>
  static Listener sharedMember(std::shared_ptr<U> object, M method) {
    std::shared_ptr<T> self = std::move(object);
    if (self == nullptr || method == nullptr) detail::throwNullListener();
    // Holds the object weakly so that a weak registration does not keep it alive; a strong one
    // keeps it through lifetime().
    std::weak_ptr<T> weak = self;
    const void* key = static_cast<const void*>(self.get());
    return Listener(std::make_shared<Function>([weak, method](Event& event) {
                      if (std::shared_ptr<T> alive = weak.lock())
                        ((*alive).*method)(detail::eventAs<E>(event));
                    }),
                    std::shared_ptr<const void>(std::move(self)),
                    Identity::of(Identity::Kind::kMember, key, method));
  }

  std::shared_ptr<const Function> fn_;
  std::shared_ptr<const void> lifetime_;
  Identity identity_;
};

/// listener binds `method` to a raw `object`, as an AS3 bound method. The identity is the object
/// and the method, so a second `listener(this, &C::m)` removes the first. It never dies, even in
/// a weak registration: remove it before `object` is destroyed.
template <class T, class E, class U>
Listener listener(U* object, void (T::*method)(E&)) {
  static_assert(detail::kIsEvent<E>, "a listener takes Event& or a subclass");
  return Listener::member<T, E>(object, method);
}
template <class T, class E, class U>
Listener listener(U* object, void (T::*method)(E&) const) {
  static_assert(detail::kIsEvent<E>, "a listener takes Event& or a subclass");
  return Listener::member<const T, E>(object, method);
}

/// listener binds `method` to a shared `object`, with the same identity rule as the raw form.
/// Its lifetime is the object: a strong registration keeps the object alive; a weak one does
/// not, and stops firing once the object is gone, as AS3's weak bound methods.
template <class T, class E, class U>
Listener listener(std::shared_ptr<U> object, void (T::*method)(E&)) {
  static_assert(detail::kIsEvent<E>, "a listener takes Event& or a subclass");
  return Listener::sharedMember<T, E>(std::move(object), method);
}
template <class T, class E, class U>
Listener listener(std::shared_ptr<U> object, void (T::*method)(E&) const) {
  static_assert(detail::kIsEvent<E>, "a listener takes Event& or a subclass");
  return Listener::sharedMember<const T, E>(std::move(object), method);
}

/// listener(callable) is the implicit conversion spelled out, for `listener([&](Event&) {...})`.
template <class F>
Listener listener(F&& callable) {
  return Listener(std::forward<F>(callable));
}

}  // namespace as3::events

#endif  // AS3_EVENTS_LISTENER_H_
